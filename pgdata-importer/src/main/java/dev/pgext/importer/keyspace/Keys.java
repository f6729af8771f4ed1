package dev.pgext.importer.keyspace;

/**
 * Constructors for every kind of key the importer writes, and the questions sharding asks
 * of a key.
 */
public final class Keys {

	/** Default tablespace ({@code base/}). */
	public static final int DEFAULT_TABLESPACE = 1663;

	/** Global tablespace ({@code global/}). */
	public static final int GLOBAL_TABLESPACE = 1664;

	/** Fork numbers, as Postgres numbers them. */
	public static final int MAIN_FORK = 0;

	public static final int FSM_FORK = 1;

	public static final int VISIBILITY_MAP_FORK = 2;

	public static final int INIT_FORK = 3;

	private Keys() {
	}

	/** The list of databases. */
	public static Key dbDirectory() {
		return new Key(0, 0, 0, 0, 0, 0);
	}

	/** A database's (or the global tablespace's) {@code pg_filenode.map}. */
	public static Key relMap(int spcnode, int dbnode) {
		return new Key(0, spcnode, dbnode, 0, 0, 0);
	}

	/** The relation forks of a database. */
	public static Key relDirectory(int spcnode, int dbnode) {
		return new Key(0, spcnode, dbnode, 0, 0, 1);
	}

	public static Key relBlock(int spcnode, int dbnode, int relnode, int fork, int block) {
		return new Key(0, spcnode, dbnode, relnode, fork, block);
	}

	/** A relation fork's size in blocks. */
	public static Key relSize(int spcnode, int dbnode, int relnode, int fork) {
		return new Key(0, spcnode, dbnode, relnode, fork, Key.SIZE_MARKER);
	}

	public static Key slruDirectory(SlruKind kind) {
		return new Key(1, kind.code(), 0, 0, 0, 0);
	}

	public static Key slruBlock(SlruKind kind, int segment, int block) {
		return new Key(1, kind.code(), 1, segment, 0, block);
	}

	/** An SLRU segment's size in blocks. */
	public static Key slruSegmentSize(SlruKind kind, int segment) {
		return new Key(1, kind.code(), 1, segment, 0, Key.SIZE_MARKER);
	}

	/**
	 * The list of prepared transactions (always empty: an import with prepared
	 * transactions is refused).
	 */
	public static Key twoPhaseDirectory() {
		return new Key(2, 0, 0, 0, 0, 0);
	}

	/** The raw {@code pg_control} file. */
	public static Key controlFile() {
		return new Key(3, 0, 0, 0, 0, 0);
	}

	/** The checkpoint record's content, as found in {@code pg_control}. */
	public static Key checkpoint() {
		return new Key(3, 0, 0, 0, 0, 1);
	}

	/** Whether {@code key} is a block of a relation (not a directory, map or size). */
	public static boolean isRelBlock(Key key) {
		return key.field1() == 0 && key.field4() != 0 && key.field6() != Key.SIZE_MARKER;
	}

	/**
	 * The SLRU kinds, numbered as in the key layout.
	 */
	public enum SlruKind {

		/** {@code pg_xact}: commit status. */
		CLOG(0, "pg_xact"),

		/** {@code pg_multixact/members}. */
		MULTIXACT_MEMBERS(1, "pg_multixact/members"),

		/** {@code pg_multixact/offsets}. */
		MULTIXACT_OFFSETS(2, "pg_multixact/offsets");

		private final int code;

		private final String directory;

		SlruKind(int code, String directory) {
			this.code = code;
			this.directory = directory;
		}

		public int code() {
			return this.code;
		}

		/** The directory under PGDATA. */
		public String directory() {
			return this.directory;
		}

		public static SlruKind ofCode(int code) {
			for (SlruKind kind : values()) {
				if (kind.code == code) {
					return kind;
				}
			}
			throw new IllegalArgumentException("no SLRU kind " + code);
		}

	}

}
