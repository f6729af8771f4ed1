\echo Use "ALTER EXTENSION pgext_hello UPDATE TO '1.1'" to load this file. \quit

CREATE FUNCTION pgext_hello_version() RETURNS text
	LANGUAGE sql IMMUTABLE AS $$SELECT '1.1'::text$$;
