\echo Use "CREATE EXTENSION pgext_hello" to load this file. \quit

CREATE FUNCTION pgext_hello(name text) RETURNS text
	AS 'MODULE_PATHNAME', 'pgext_hello'
	LANGUAGE C STRICT IMMUTABLE;
