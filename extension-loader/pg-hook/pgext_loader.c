/*
 * pgext_loader: asks the pgext extension loader for extension files before a stock
 * PostgreSQL needs them.
 *
 * Loaded through shared_preload_libraries. A ProcessUtility_hook looks at CREATE EXTENSION,
 * ALTER EXTENSION ... UPDATE and LOAD before they run; when the files they need are not on
 * disk yet, it sends the loader the same request a patched server would
 * (POST /extension_server/{filename}?is_library=...), waits for the answer on the backend's
 * latch (cancellable, visible as a wait event), then lets the command run normally.
 * Files already present cost no request. Only a role that could run the statement triggers a
 * request, and only for a name Postgres itself would accept.
 *
 * Builds against the server headers of PostgreSQL 14 to 18: the few API differences are
 * guarded by PG_VERSION_NUM.
 */
#include "postgres.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
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
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("pgext_loader");
#else
	EmitWarningsOnPlaceholders("pgext_loader");
#endif

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

/* $sharedir/extension: where a stock Postgres looks for control files, and the loader writes them. */
static char *
system_extension_dir(void)
{
	char		sharepath[MAXPGPATH];

	get_share_path(my_exec_path, sharepath);
	return psprintf("%s/extension", sharepath);
}

/*
 * The directories Postgres looks in for control files, in its order. Before PostgreSQL 18 that
 * is $sharedir/extension alone. From 18 on it is extension_control_path: each element names a
 * base directory whose "extension" subdirectory holds the files, except "$system", which is
 * $sharedir/extension itself; an empty path means "$system".
 */
static List *
control_directories(void)
{
	List	   *dirs = NIL;
#if PG_VERSION_NUM >= 180000
	const char *path = GetConfigOption("extension_control_path", true, false);

	if (path != NULL && path[0] != '\0')
	{
		char	   *copy = pstrdup(path);
		char	   *piece = copy;

		for (;;)
		{
			char	   *sep = strchr(piece, ':');

			if (sep != NULL)
				*sep = '\0';
			if (strcmp(piece, "$system") == 0)
				dirs = lappend(dirs, system_extension_dir());
			else if (is_absolute_path(piece))
				dirs = lappend(dirs, psprintf("%s/extension", piece));
			/* Postgres rejects a relative element when it searches: nothing to look at there */
			if (sep == NULL)
				break;
			piece = sep + 1;
		}
		return dirs;
	}
#endif
	dirs = lappend(dirs, system_extension_dir());
	return dirs;
}

/* The directory holding the extension's control file, the first along the path, or NULL. */
static char *
control_file_dir(const char *name)
{
	ListCell   *lc;

	foreach(lc, control_directories())
	{
		char	   *dir = (char *) lfirst(lc);
		char		path[MAXPGPATH];

		snprintf(path, MAXPGPATH, "%s/%s.control", dir, name);
		if (file_exists(path))
			return dir;
	}
	return NULL;
}

/*
 * Whether the extension's control file and a script are on disk. The loader writes every
 * available control file at start and an extension's scripts only when it fetches it, so a
 * control file alone does not mean the extension is there. With version set, a script that
 * installs or updates to that version must be there. Scripts are looked for next to the
 * control file, where Postgres looks for them.
 */
static bool
extension_present(const char *name, const char *version, const char *dir)
{
	DIR		   *d;
	struct dirent *de;
	size_t		prefix_len = strlen(name) + 2;
	bool		found = false;

	if (dir == NULL)
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

/*
 * Postgres' own rules for an extension name or version (check_valid_extension_name,
 * check_valid_version_name): not empty, a name shorter than NAMEDATALEN, no "--", no leading or
 * trailing "-", no directory separator. A name that breaks them never reaches a path or a
 * request: the statement runs as it is and Postgres reports the error itself.
 */
static bool
valid_extension_word(const char *word, bool is_name)
{
	size_t		len = strlen(word);

	return len > 0 && (!is_name || len < NAMEDATALEN) && strstr(word, "--") == NULL &&
		word[0] != '-' && word[len - 1] != '-' && first_dir_separator(word) == NULL;
}

static bool
has_database_create(void)
{
#if PG_VERSION_NUM >= 160000
	return object_aclcheck(DatabaseRelationId, MyDatabaseId, GetUserId(), ACL_CREATE) == ACLCHECK_OK;
#else
	return pg_database_aclcheck(MyDatabaseId, GetUserId(), ACL_CREATE) == ACLCHECK_OK;
#endif
}

/* Whether the current role may create an extension, as far as the files on disk tell. */
typedef enum CreatePermission
{
	CREATE_ALLOWED,
	CREATE_NEEDS_SUPERUSER,		/* the control file says superuser, not trusted */
	CREATE_NEEDS_DATABASE_CREATE,	/* trusted, but no CREATE on the database */
	CREATE_UNKNOWN_DENIED		/* no control file, and no CREATE on the database */
} CreatePermission;

/*
 * Decided as CREATE EXTENSION decides: a superuser may; anyone may when the control file says
 * superuser = false; a trusted extension needs CREATE on the current database. Without a
 * control file on disk (or with one that cannot be read) whether the extension is trusted is
 * unknown, so CREATE on the database is required: the least any non-superuser needs to create
 * an extension.
 */
static CreatePermission
create_permission(const char *name, const char *dir)
{
	bool		needs_superuser = true;
	bool		trusted = false;
	bool		known = false;

	if (superuser())
		return CREATE_ALLOWED;
	if (dir != NULL)
	{
		char	   *path = psprintf("%s/%s.control", dir, name);
		FILE	   *file = AllocateFile(path, "r");

		if (file != NULL)
		{
			ConfigVariable *head = NULL;
			ConfigVariable *tail = NULL;

			known = ParseConfigFp(file, path, 0, DEBUG1, &head, &tail);
			FreeFile(file);
			for (ConfigVariable *item = head; known && item != NULL; item = item->next)
			{
				if (strcmp(item->name, "superuser") == 0)
					known = parse_bool(item->value, &needs_superuser);
				else if (strcmp(item->name, "trusted") == 0)
					known = parse_bool(item->value, &trusted);
			}
			FreeConfigVariables(head);
		}
	}
	if (known && !needs_superuser)
		return CREATE_ALLOWED;
	if (known && !trusted)
		return CREATE_NEEDS_SUPERUSER;
	if (has_database_create())
		return CREATE_ALLOWED;
	return known ? CREATE_NEEDS_DATABASE_CREATE : CREATE_UNKNOWN_DENIED;
}

/* Whether the current role could run ALTER EXTENSION ... UPDATE: it must own the extension. */
static bool
may_update_extension(const char *name)
{
	Oid			extension = get_extension_oid(name, true);

	if (!OidIsValid(extension))
		return false;
#if PG_VERSION_NUM >= 160000
	return object_ownercheck(ExtensionRelationId, extension, GetUserId());
#else
	return pg_extension_ownercheck(extension, GetUserId());
#endif
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

/*
 * Connects current_socket to one address, waiting at most until deadline. Returns false with
 * the reason in *why when that address does not take the connection.
 */
static bool
connect_address(struct addrinfo *addr, TimestampTz deadline, int timeout_ms, StringInfo why)
{
	char		host[NI_MAXHOST];
	int			err = 0;
	socklen_t	errlen = sizeof(err);

	if (getnameinfo(addr->ai_addr, addr->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	if (why->len > 0)
		appendStringInfoString(why, "; ");

	current_socket = socket(addr->ai_family, SOCK_STREAM, 0);
	if (current_socket < 0)
	{
		appendStringInfo(why, "%s: socket: %m", host);
		return false;
	}
	if (fcntl(current_socket, F_SETFL, O_NONBLOCK) < 0)
	{
		appendStringInfo(why, "%s: %m", host);
		close_current_socket();
		return false;
	}
	if (connect(current_socket, addr->ai_addr, addr->ai_addrlen) == 0)
		return true;
	if (errno != EINPROGRESS)
	{
		appendStringInfo(why, "%s: connect: %m", host);
		close_current_socket();
		return false;
	}
	if (!wait_socket(current_socket, WL_SOCKET_WRITEABLE, deadline))
	{
		appendStringInfo(why, "%s: no connection within %d ms (pgext_loader.connect_timeout)", host, timeout_ms);
		close_current_socket();
		return false;
	}
	if (getsockopt(current_socket, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err != 0)
	{
		appendStringInfo(why, "%s: connect: %s", host, strerror(err));
		close_current_socket();
		return false;
	}
	return true;
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
	int			connect_ms = Min(connect_timeout_ms, request_timeout_ms);
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
	/* [::1]:8080 names an IPv6 address */
	if (server[0] == '[' && colon[-1] == ']')
	{
		colon[-1] = '\0';
		server++;
	}

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(server, colon + 1, &hints, &addrs);
	if (rc != 0 || addrs == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PGEXT_UNREACHABLE),
				 errmsg("extension loader at \"%s\" is unreachable", loader_server),
				 errdetail("could not resolve the address: %s", gai_strerror(rc))));

	PG_TRY();
	{
		int			sent = 0;
		StringInfoData why;
		bool		connected = false;

		/*
		 * Every address the name resolves to, in getaddrinfo's order, each with its own
		 * pgext_loader.connect_timeout (as libpq does per host), all within pgext_loader.timeout.
		 */
		initStringInfo(&why);
		for (struct addrinfo *addr = addrs; addr != NULL && !connected; addr = addr->ai_next)
		{
			TimestampTz connect_deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), connect_ms);

			connected = connect_address(addr, Min(connect_deadline, deadline), connect_ms, &why);
		}
		if (!connected)
			ereport(ERROR,
					(errcode(ERRCODE_PGEXT_UNREACHABLE),
					 errmsg("extension loader at \"%s\" is unreachable", loader_server),
					 errdetail("%s", why.data)));

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

/*
 * Asks the loader for an extension whose files are not on disk, when the name is one Postgres
 * accepts and the current role could run the statement. Otherwise nothing is asked: a role that
 * the control file on disk already rules out gets the error CREATE EXTENSION would give it with
 * every file in place (its scripts are not there yet, which Postgres would report instead);
 * any other statement runs as it is and Postgres answers it.
 */
static void
fetch_extension_if_missing(const char *name, const char *version, bool update)
{
	char	   *dir;

	if (!valid_extension_word(name, true) || (version != NULL && !valid_extension_word(version, false)))
		return;
	dir = control_file_dir(name);
	if (extension_present(name, version, dir))
		return;
	if (update)
	{
		if (!may_update_extension(name))
			return;
	}
	else
	{
		switch (create_permission(name, dir))
		{
			case CREATE_ALLOWED:
				break;
			case CREATE_NEEDS_SUPERUSER:
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to create extension \"%s\"", name),
						 errhint("Must be superuser to create this extension.")));
				break;
			case CREATE_NEEDS_DATABASE_CREATE:
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to create extension \"%s\"", name),
						 errhint("Must have CREATE privilege on current database to create this extension.")));
				break;
			case CREATE_UNKNOWN_DENIED:
				return;
		}
	}
	ask_loader(psprintf("%s.control", name), false, psprintf("extension \"%s\"", name));
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

			fetch_extension_if_missing(stmt->extname, new_version_option(stmt->options), false);
		}
		else if (IsA(parsetree, AlterExtensionStmt))
		{
			AlterExtensionStmt *stmt = (AlterExtensionStmt *) parsetree;

			fetch_extension_if_missing(stmt->extname, new_version_option(stmt->options), true);
		}
		else if (IsA(parsetree, LoadStmt))
		{
			LoadStmt   *stmt = (LoadStmt *) parsetree;
			char	   *library = library_name(stmt->filename);

			/* a non-superuser may only LOAD from $libdir/plugins/, which names a path */
			if (library != NULL && superuser() && !library_present(library))
				ask_loader(library, true, psprintf("library \"%s\"", library));
		}
	}

	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}
