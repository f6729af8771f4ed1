#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgxn_answer);

Datum
pgxn_answer(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(42);
}
