package dev.pgext.importer.pgdata;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.pgext.importer.keyspace.Keys;
import dev.pgext.importer.keyspace.Keys.SlruKind;

/**
 * What one file of a PGDATA is, decided by a strict grammar over its path relative to the
 * PGDATA root. A file either maps to keys, is skipped for a stated reason (state the
 * server rebuilds or the compute provides), or makes the import fail: unknown names and
 * state this importer would otherwise lose (tablespaces, prepared transactions,
 * replication slots).
 */
public sealed interface PgdataFile {

	/** {@code global/pg_control}. */
	record ControlFile() implements PgdataFile {
	}

	/**
	 * A {@code pg_filenode.map}.
	 *
	 * @param spcnode tablespace
	 * @param dbnode database, 0 for the global one
	 */
	record RelMap(int spcnode, int dbnode) implements PgdataFile {
	}

	/**
	 * One segment of a relation fork.
	 *
	 * @param spcnode tablespace
	 * @param dbnode database, 0 for global relations
	 * @param relnode relfilenode
	 * @param fork fork number
	 * @param segment segment number, from 0
	 */
	record RelSegment(int spcnode, int dbnode, int relnode, int fork, int segment) implements PgdataFile {
	}

	/**
	 * One SLRU segment.
	 *
	 * @param kind which SLRU
	 * @param segment segment number
	 */
	record SlruSegment(SlruKind kind, int segment) implements PgdataFile {
	}

	/**
	 * A file that is deliberately not imported.
	 *
	 * @param reason why, the same text for every file of one kind
	 */
	record Skipped(String reason) implements PgdataFile {
	}

	Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_.\\-]+(/[A-Za-z0-9_.\\-]+)*");

	Pattern OID = Pattern.compile("[1-9][0-9]{0,9}");

	Pattern REL_FILE = Pattern.compile("([1-9][0-9]{0,9})(?:_(fsm|vm|init))?(?:\\.([1-9][0-9]{0,9}))?");

	Pattern TEMP_REL_FILE = Pattern.compile("t[0-9]{1,10}_[1-9][0-9]{0,9}(?:_(?:fsm|vm|init))?(?:\\.[1-9][0-9]{0,9})?");

	Pattern SLRU_FILE = Pattern.compile("[0-9A-F]{4,6}");

	String CONFIGURATION = "configuration and version markers: the compute provides its own";

	String TRANSIENT = "transient server state, reset when the server starts";

	/**
	 * Classifies {@code path} (relative to the PGDATA root) of {@code size} bytes.
	 * @throws InvalidPgdataException for an unknown or unsafe name, or state that would
	 * be lost
	 */
	static PgdataFile classify(String path, long size) {
		if (path.length() > 512 || !SAFE_PATH.matcher(path).matches() || path.contains("/../") || path.startsWith("../")
				|| path.contains("/./") || path.startsWith("./")) {
			throw new InvalidPgdataException("unsupported file name '" + printable(path) + "'");
		}
		String[] parts = path.split("/");
		String top = parts[0];
		switch (top) {
			case "global":
				if (parts.length == 2) {
					return inDatabaseDirectory(path, parts[1], Keys.GLOBAL_TABLESPACE, 0);
				}
				break;
			case "base":
				if (parts.length >= 2 && parts[1].equals("pgsql_tmp")) {
					return new Skipped("temporary files of running queries");
				}
				if (parts.length == 3 && OID.matcher(parts[1]).matches()) {
					return inDatabaseDirectory(path, parts[2], Keys.DEFAULT_TABLESPACE, oid(path, parts[1]));
				}
				break;
			case "pg_xact":
				if (parts.length == 2) {
					return slru(path, SlruKind.CLOG, parts[1]);
				}
				break;
			case "pg_multixact":
				if (parts.length == 3 && parts[1].equals("members")) {
					return slru(path, SlruKind.MULTIXACT_MEMBERS, parts[2]);
				}
				if (parts.length == 3 && parts[1].equals("offsets")) {
					return slru(path, SlruKind.MULTIXACT_OFFSETS, parts[2]);
				}
				break;
			case "pg_tblspc":
				throw new InvalidPgdataException("'" + path + "': the cluster has a non-default tablespace (OID "
						+ ((parts.length > 1) ? parts[1] : "?")
						+ "); importing tablespaces is not supported, move its objects to pg_default first");
			case "pg_twophase":
				throw new InvalidPgdataException("'" + path + "': the cluster has a prepared transaction ("
						+ parts[parts.length - 1] + "); COMMIT PREPARED or ROLLBACK PREPARED it before the dump");
			case "pg_replslot":
				throw new InvalidPgdataException("'" + path + "': the cluster has a replication slot ("
						+ ((parts.length > 1) ? parts[1] : "?") + "); drop it before the dump");
			case "pg_logical":
				if (parts.length == 2 && parts[1].equals("replorigin_checkpoint")) {
					// 4 bytes of magic and 4 of CRC when no replication origin exists
					if (size > 8) {
						throw new InvalidPgdataException(
								"'" + path + "': the cluster has replication origins; drop them before the dump");
					}
					return new Skipped("replication origin checkpoint without origins");
				}
				if (parts.length >= 2 && (parts[1].equals("snapshots") || parts[1].equals("mappings"))) {
					return new Skipped("logical decoding state, meaningless without replication slots");
				}
				break;
			case "pg_wal":
				return new Skipped("WAL: after a clean shutdown every change is in the data files");
			case "pg_commit_ts":
				return new Skipped("commit timestamps (track_commit_timestamp) are not imported");
			case "pg_subtrans", "pg_serial", "pg_notify", "pg_snapshots", "pg_stat", "pg_stat_tmp", "pg_dynshmem":
				return new Skipped(TRANSIENT);
			case "PG_VERSION", "postgresql.conf", "postgresql.auto.conf", "pg_hba.conf", "pg_ident.conf",
					"postmaster.opts", "current_logfiles":
				if (parts.length == 1) {
					return new Skipped(CONFIGURATION);
				}
				break;
			case BackupManifest.FILE_NAME:
				if (parts.length == 1) {
					return new Skipped("backup manifest: read to verify the other files, not imported");
				}
				break;
			case "postmaster.pid":
				throw new InvalidPgdataException(
						"'postmaster.pid' is present: the server was running when the files were copied");
			case "backup_label", "tablespace_map":
				throw new InvalidPgdataException("'" + path
						+ "' is present: this is a base backup that needs recovery, not a cleanly shut down cluster");
			default:
				break;
		}
		throw new InvalidPgdataException("unknown file '" + path + "' in the PGDATA; refusing to guess what it holds");
	}

	private static PgdataFile inDatabaseDirectory(String path, String name, int spcnode, int dbnode) {
		if (spcnode == Keys.GLOBAL_TABLESPACE && name.equals("pg_control")) {
			return new ControlFile();
		}
		if (name.equals("pg_filenode.map")) {
			return new RelMap(spcnode, dbnode);
		}
		if (name.equals("pg_internal.init")) {
			return new Skipped("relation cache init file, rebuilt by the server");
		}
		if (name.equals("PG_VERSION")) {
			return new Skipped(CONFIGURATION);
		}
		if (spcnode == Keys.DEFAULT_TABLESPACE && TEMP_REL_FILE.matcher(name).matches()) {
			return new Skipped("temporary relations, dropped when the server starts");
		}
		Matcher m = REL_FILE.matcher(name);
		if (m.matches()) {
			int fork = switch ((m.group(2) != null) ? m.group(2) : "") {
				case "fsm" -> Keys.FSM_FORK;
				case "vm" -> Keys.VISIBILITY_MAP_FORK;
				case "init" -> Keys.INIT_FORK;
				default -> Keys.MAIN_FORK;
			};
			int segment = (m.group(3) != null) ? oid(path, m.group(3)) : 0;
			return new RelSegment(spcnode, dbnode, oid(path, m.group(1)), fork, segment);
		}
		throw new InvalidPgdataException("unknown file '" + path + "' in the PGDATA; refusing to guess what it holds");
	}

	private static PgdataFile slru(String path, SlruKind kind, String name) {
		if (!SLRU_FILE.matcher(name).matches()) {
			throw new InvalidPgdataException("unknown file '" + path + "': not an SLRU segment name");
		}
		return new SlruSegment(kind, Integer.parseInt(name, 16));
	}

	private static int oid(String path, String digits) {
		long value = Long.parseLong(digits);
		if (value > 0xFFFFFFFFL) {
			throw new InvalidPgdataException("'" + path + "': " + digits + " is out of range for an OID");
		}
		return (int) value;
	}

	private static String printable(String path) {
		String cut = (path.length() > 200) ? path.substring(0, 200) + "..." : path;
		return cut.replaceAll("[^\\x20-\\x7E]", "?");
	}

}
