/*
 * pgext_hello: pgext_hello(name text) returns 'hello, <name>'.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgext_hello);

Datum
pgext_hello(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);

	PG_RETURN_TEXT_P(cstring_to_text(psprintf("hello, %s", text_to_cstring(name))));
}
