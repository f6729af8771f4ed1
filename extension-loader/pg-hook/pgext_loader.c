/*
 * pgext_loader: asks the pgext extension loader for extension files before a stock
 * PostgreSQL needs them.
 *
 * Loaded through shared_preload_libraries. A ProcessUtility_hook looks at CREATE EXTENSION,
 * ALTER EXTENSION ... UPDATE and LOAD before they run; when the files they need are not on
 * disk yet, it sends the loader the same request a patched server would
 * (POST /extension_server/{filename}?is_library=...), waits for the answer on the backend's
 * latch (cancellable, visible as a wait event), then lets the command run normally.
 * Files already present cost no request.
 */
#include "postgres.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands/defrem.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

PG_MODULE_MAGIC;

/* SQLSTATEs of class PX ("pgext"): not available, download failed, loader unreachable */
#define ERRCODE_PGEXT_NOT_AVAILABLE		MAKE_SQLSTATE('P','X','0','0','1')
#define ERRCODE_PGEXT_DOWNLOAD_FAILED	MAKE_SQLSTATE('P','X','0','0','2')
#define ERRCODE_PGEXT_UNREACHABLE		MAKE_SQLSTATE('P','X','0','0','3')

#define MAX_RESPONSE 8192

void		_PG_init(void);

static char *loader_server = NULL;
static int	connect_timeout_ms = 2000;
static int	request_timeout_ms = 60000;
static bool loader_enabled = true;

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

#if PG_VERSION_NUM >= 170000
static uint32 wait_event_fetch = 0;
#endif

static void pgext_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
								 ProcessUtilityContext context, ParamListInfo params,
								 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc);

void
_PG_init(void)
{
	DefineCustomStringVariable("pgext_loader.server",
							   "host:port of the pgext extension loader.",
							   NULL, &loader_server, "127.0.0.1:8080",
							   PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("pgext_loader.connect_timeout",
							"Time to wait for a connection to the loader.",
							NULL, &connect_timeout_ms, 2000, 1, 600000,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("pgext_loader.timeout",
							"Time to wait for the loader to provide a file, connection included.",
							NULL, &request_timeout_ms, 60000, 1, 3600000,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomBoolVariable("pgext_loader.enabled",
							 "Ask the loader for missing extension files.",
							 NULL, &loader_enabled, true,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("pgext_loader");

	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = pgext_ProcessUtility;
}

static uint32
fetch_wait_event(void)
{
#if PG_VERSION_NUM >= 170000
	if (wait_event_fetch == 0)
		wait_event_fetch = WaitEventExtensionNew("PgextLoaderFetch");
	return wait_event_fetch;
#else
	return PG_WAIT_EXTENSION;
#endif
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void
extension_dir(char *out)
{
	char		sharepath[MAXPGPATH];

	get_share_path(my_exec_path, sharepath);
	snprintf(out, MAXPGPATH, "%s/extension", sharepath);
}

/*
 * Whether the extension's control file and a script are on disk. The loader writes every
 * available control file at start and an extension's scripts only when it fetches it, so a
 * control file alone does not mean the extension is there. With version set, a script that
 * installs or updates to that version must be there.
 */
static bool
extension_present(const char *name, const char *version)
{
	char		dir[MAXPGPATH];
	char		path[MAXPGPATH];
	DIR		   *d;
	struct dirent *de;
	size_t		prefix_len = strlen(name) + 2;
	bool		found = false;

	extension_dir(dir);
	snprintf(path, MAXPGPATH, "%s/%s.control", dir, name);
	if (!file_exists(path))
		return false;

	d = AllocateDir(dir);
	while (!found && (de = ReadDir(d, dir)) != NULL)
	{
		const char *f = de->d_name;
		size_t		len = strlen(f);

		if (len <= prefix_len + 4 || strncmp(f, name, prefix_len - 2) != 0 ||
			strncmp(f + prefix_len - 2, "--", 2) != 0 || strcmp(f + len - 4, ".sql") != 0)
			continue;
		if (version == NULL)
			found = true;
		else
		{
			size_t		vlen = strlen(version);

			/* name--<version>.sql or name--<from>--<version>.sql */
			found = len >= vlen + 6 && strncmp(f + len - 4 - vlen, version, vlen) == 0 &&
				strncmp(f + len - 6 - vlen, "--", 2) == 0;
		}
	}
	FreeDir(d);
	return found;
}

/* The bare library name LOAD would look up in $libdir, or NULL when it names a path. */
static char *
library_name(const char *filename)
{
	const char *base = filename;

	if (strncmp(base, "$libdir/", 8) == 0)
		base += 8;
	if (strchr(base, '/') != NULL || base[0] == '\0')
		return NULL;
	return pstrdup(base);
}

static bool
library_present(const char *library)
{
	char		path[MAXPGPATH];

	snprintf(path, MAXPGPATH, "%s/%s", pkglib_path, library);
	if (file_exists(path))
		return true;
	snprintf(path, MAXPGPATH, "%s/%s%s", pkglib_path, library, DLSUFFIX);
	return file_exists(path);
}

static void
append_escaped(StringInfo buf, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_' || c == '.')
			appendStringInfoChar(buf, c);
		else
			appendStringInfo(buf, "%%%02X", c);
	}
}

static long
remaining_ms(TimestampTz deadline)
{
	long		ms = (long) ((deadline - GetCurrentTimestamp()) / 1000);

	return ms > 0 ? ms : 0;
}

/*
 * Waits on the latch and the socket, so that a cancel request or statement_timeout ends
 * the wait. Returns false on timeout.
 */
static bool
wait_socket(pgsocket sock, int events, TimestampTz deadline)
{
	for (;;)
	{
		long		ms = remaining_ms(deadline);
		int			rc;

		if (ms == 0)
			return false;
		rc = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH | events,
							   sock, ms, fetch_wait_event());
		if (rc & WL_LATCH_SET)
		{
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
		if (rc & events)
			return true;
	}
}

static int	current_socket = -1;

static void
close_current_socket(void)
{
	if (current_socket >= 0)
	{
		close(current_socket);
		current_socket = -1;
	}
}

/* Whether the response headers say Transfer-Encoding: chunked. */
static bool
has_chunked_encoding(const char *headers)
{
	const char *line = headers;

	while ((line = strstr(line, "\r\n")) != NULL)
	{
		line += 2;
		if (pg_strncasecmp(line, "transfer-encoding:", 18) == 0)
		{
			const char *value = line + 18;
			const char *end = strstr(value, "\r\n");
			size_t		len = end ? (size_t) (end - value) : strlen(value);
			char	   *copy = pnstrdup(value, len);
			bool		chunked = strstr(copy, "chunked") != NULL || strstr(copy, "Chunked") != NULL;

			pfree(copy);
			return chunked;
		}
	}
	return false;
}

/* The payload of a chunked body, as far as it was received. */
static char *
dechunk(const char *data)
{
	StringInfoData out;
	const char *p = data;

	initStringInfo(&out);
	for (;;)
	{
		char	   *after;
		long		size = strtol(p, &after, 16);
		const char *line_end;

		if (after == p || size <= 0)
			break;
		line_end = strstr(after, "\r\n");
		if (line_end == NULL)
			break;
		p = line_end + 2;
		if ((long) strlen(p) < size)
		{
			appendStringInfoString(&out, p);
			break;
		}
		appendBinaryStringInfo(&out, p, (int) size);
		p += size;
		if (strncmp(p, "\r\n", 2) == 0)
			p += 2;
	}
	return out.data;
}

/*
 * What to show of the loader's answer: the "detail" of an RFC 9457 problem document when it
 * is one, the body as it is otherwise.
 */
static char *
loader_reason(const char *body)
{
	const char *detail = strstr(body, "\"detail\":\"");
	StringInfoData out;

	if (body[0] != '{' || detail == NULL)
		return pstrdup(body);
	initStringInfo(&out);
	for (detail += 10; *detail && *detail != '"'; detail++)
	{
		if (*detail == '\\' && detail[1] != '\0')
			detail++;
		appendStringInfoChar(&out, *detail);
	}
	return out.data;
}

/* Sends the request and returns the HTTP status; *body gets the response body. */
static int
loader_request(const char *filename, bool is_library, char **body)
{
	char	   *server = pstrdup(loader_server ? loader_server : "");
	char	   *colon = strrchr(server, ':');
	struct addrinfo hints;
	struct addrinfo *addrs = NULL;
	TimestampTz start = GetCurrentTimestamp();
	TimestampTz deadline = TimestampTzPlusMilliseconds(start, request_timeout_ms);
	TimestampTz connect_deadline = TimestampTzPlusMilliseconds(start, Min(connect_timeout_ms, request_timeout_ms));
	StringInfoData request;
	StringInfoData response;
	int			rc;
	int			status = 0;
	char	   *header_end;

	if (colon == NULL || colon == server || colon[1] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pgext_loader.server must be host:port, not \"%s\"", server)));
	*colon = '\0';

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(server, colon + 1, &hints, &addrs);
	if (rc != 0 || addrs == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PGEXT_UNREACHABLE),
				 errmsg("extension loader at \"%s:%s\" is unreachable", server, colon + 1),
				 errdetail("could not resolve the address: %s", gai_strerror(rc))));

	current_socket = socket(addrs->ai_family, SOCK_STREAM, 0);
	if (current_socket < 0)
	{
		freeaddrinfo(addrs);
		elog(ERROR, "could not create socket: %m");
	}
	if (fcntl(current_socket, F_SETFL, O_NONBLOCK) < 0)
	{
		close_current_socket();
		freeaddrinfo(addrs);
		elog(ERROR, "could not set socket non-blocking: %m");
	}

	PG_TRY();
	{
		int			sent = 0;

		if (connect(current_socket, addrs->ai_addr, addrs->ai_addrlen) < 0)
		{
			int			err = 0;
			socklen_t	errlen = sizeof(err);

			if (errno != EINPROGRESS)
				ereport(ERROR,
						(errcode(ERRCODE_PGEXT_UNREACHABLE),
						 errmsg("extension loader at \"%s\" is unreachable", loader_server),
						 errdetail("connect: %m")));
			if (!wait_socket(current_socket, WL_SOCKET_WRITEABLE, connect_deadline))
				ereport(ERROR,
						(errcode(ERRCODE_PGEXT_UNREACHABLE),
						 errmsg("extension loader at \"%s\" is unreachable", loader_server),
						 errdetail("no connection within %d ms (pgext_loader.connect_timeout)",
								   Min(connect_timeout_ms, request_timeout_ms))));
			if (getsockopt(current_socket, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err != 0)
				ereport(ERROR,
						(errcode(ERRCODE_PGEXT_UNREACHABLE),
						 errmsg("extension loader at \"%s\" is unreachable", loader_server),
						 errdetail("connect: %s", strerror(err))));
		}

		initStringInfo(&request);
		appendStringInfoString(&request, "POST /extension_server/");
		append_escaped(&request, filename);
		appendStringInfo(&request,
						 "?is_library=%s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n"
						 "User-Agent: pgext_loader\r\nConnection: close\r\n\r\n",
						 is_library ? "true" : "false", loader_server);

		while (sent < request.len)
		{
			ssize_t		n = send(current_socket, request.data + sent, request.len - sent, MSG_NOSIGNAL);

			if (n > 0)
				sent += n;
			else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			{
				if (!wait_socket(current_socket, WL_SOCKET_WRITEABLE, deadline))
					ereport(ERROR,
							(errcode(ERRCODE_PGEXT_UNREACHABLE),
							 errmsg("extension loader did not provide \"%s\" in time", filename),
							 errdetail("no answer within %d ms (pgext_loader.timeout)", request_timeout_ms)));
			}
			else
				ereport(ERROR,
						(errcode(ERRCODE_PGEXT_UNREACHABLE),
						 errmsg("extension loader at \"%s\" is unreachable", loader_server),
						 errdetail("send: %m")));
		}

		initStringInfo(&response);
		for (;;)
		{
			char		chunk[1024];
			ssize_t		n;

			if (!wait_socket(current_socket, WL_SOCKET_READABLE, deadline))
				ereport(ERROR,
						(errcode(ERRCODE_PGEXT_UNREACHABLE),
						 errmsg("extension loader did not provide \"%s\" in time", filename),
						 errdetail("no answer within %d ms (pgext_loader.timeout)", request_timeout_ms)));
			n = recv(current_socket, chunk, sizeof(chunk), 0);
			if (n == 0)
				break;
			if (n < 0)
			{
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					continue;
				ereport(ERROR,
						(errcode(ERRCODE_PGEXT_UNREACHABLE),
						 errmsg("extension loader at \"%s\" closed the connection", loader_server),
						 errdetail("recv: %m")));
			}
			if (response.len < MAX_RESPONSE)
				appendBinaryStringInfo(&response, chunk, Min(n, MAX_RESPONSE - response.len));
		}
	}
	PG_CATCH();
	{
		close_current_socket();
		freeaddrinfo(addrs);
		PG_RE_THROW();
	}
	PG_END_TRY();
	close_current_socket();
	freeaddrinfo(addrs);

	if (sscanf(response.data, "HTTP/%*d.%*d %d", &status) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_PGEXT_DOWNLOAD_FAILED),
				 errmsg("extension loader gave no HTTP answer for \"%s\"", filename)));
	header_end = strstr(response.data, "\r\n\r\n");
	if (header_end == NULL)
		*body = pstrdup("");
	else
	{
		bool		chunked;

		*header_end = '\0';
		chunked = has_chunked_encoding(response.data);
		*body = chunked ? dechunk(header_end + 4) : pstrdup(header_end + 4);
	}
	return status;
}

static void
ask_loader(const char *filename, bool is_library, const char *what)
{
	char	   *body = NULL;
	int			status;

	elog(DEBUG1, "pgext_loader: asking %s for %s", loader_server, filename);
	status = loader_request(filename, is_library, &body);
	if (status == 200)
		return;
	body = loader_reason(body);
	if (status == 404)
		ereport(ERROR,
				(errcode(ERRCODE_PGEXT_NOT_AVAILABLE),
				 errmsg("%s is not available to this compute", what),
				 errdetail("The extension loader answered 404: %s", body)));
	ereport(ERROR,
			(errcode(ERRCODE_PGEXT_DOWNLOAD_FAILED),
			 errmsg("extension loader could not provide %s", what),
			 errdetail("The extension loader answered %d: %s", status, body)));
}

static const char *
new_version_option(List *options)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, "new_version") == 0)
			return defGetString(opt);
	}
	return NULL;
}

static void
pgext_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					 ProcessUtilityContext context, ParamListInfo params,
					 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;

	if (loader_enabled)
	{
		if (IsA(parsetree, CreateExtensionStmt))
		{
			CreateExtensionStmt *stmt = (CreateExtensionStmt *) parsetree;

			if (!extension_present(stmt->extname, new_version_option(stmt->options)))
			{
				char	   *file = psprintf("%s.control", stmt->extname);

				ask_loader(file, false, psprintf("extension \"%s\"", stmt->extname));
			}
		}
		else if (IsA(parsetree, AlterExtensionStmt))
		{
			AlterExtensionStmt *stmt = (AlterExtensionStmt *) parsetree;

			if (!extension_present(stmt->extname, new_version_option(stmt->options)))
			{
				char	   *file = psprintf("%s.control", stmt->extname);

				ask_loader(file, false, psprintf("extension \"%s\"", stmt->extname));
			}
		}
		else if (IsA(parsetree, LoadStmt))
		{
			LoadStmt   *stmt = (LoadStmt *) parsetree;
			char	   *library = library_name(stmt->filename);

			if (library != NULL && !library_present(library))
				ask_loader(library, true, psprintf("library \"%s\"", library));
		}
	}

	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}
