\echo Use "CREATE EXTENSION pgxn_answer" to load this file. \quit

CREATE FUNCTION pgxn_answer() RETURNS integer
    AS 'MODULE_PATHNAME', 'pgxn_answer'
    LANGUAGE C IMMUTABLE STRICT;
