package dev.pgext.model.elf;

/**
 * A Postgres module's magic block, the {@code Pg_magic_struct} its {@code Pg_magic_func}
 * returns: the build parameters Postgres compares with its own before it loads the
 * module. Every major since 15 lays out the ABI fields alike ({@code len}, then five
 * ints, then a 32-byte {@code abi_extra}); 18 appends {@code name} and {@code version}
 * pointers, which are not read.
 *
 * @param length {@code len}, the structure's size as the module was compiled
 * @param version {@code PG_VERSION_NUM / 100}, such as 1500 for Postgres 15
 * @param funcMaxArgs {@code FUNC_MAX_ARGS}
 * @param indexMaxKeys {@code INDEX_MAX_KEYS}
 * @param nameDataLen {@code NAMEDATALEN}
 * @param float8ByVal {@code FLOAT8PASSBYVAL}
 * @param abiExtra {@code FMGR_ABI_EXTRA} ({@code "PostgreSQL"} for the community server),
 * or {@code null} when the structure is too short to hold it
 */
public record PgMagicBlock(int length, int version, int funcMaxArgs, int indexMaxKeys, int nameDataLen,
		boolean float8ByVal, String abiExtra) {

	/** The {@code abi_extra} of the community server. */
	public static final String COMMUNITY_ABI = "PostgreSQL";

	/** The Postgres major the module was compiled for ({@code version / 100}). */
	public int major() {
		return this.version / 100;
	}

	/**
	 * What differs from a standard build for {@code major} (FUNC_MAX_ARGS 100,
	 * INDEX_MAX_KEYS 32, NAMEDATALEN 64, FLOAT8PASSBYVAL true, ABI
	 * {@value #COMMUNITY_ABI}), or {@code null} when nothing does.
	 */
	public String problemFor(int major) {
		if (this.version != major * 100) {
			return "it is built for PostgreSQL " + describeVersion() + ", not " + major;
		}
		if (this.funcMaxArgs != 100) {
			return "it is built with FUNC_MAX_ARGS " + this.funcMaxArgs + "; a standard build has 100";
		}
		if (this.indexMaxKeys != 32) {
			return "it is built with INDEX_MAX_KEYS " + this.indexMaxKeys + "; a standard build has 32";
		}
		if (this.nameDataLen != 64) {
			return "it is built with NAMEDATALEN " + this.nameDataLen + "; a standard build has 64";
		}
		if (!this.float8ByVal) {
			return "it is built with FLOAT8PASSBYVAL false; a standard 64-bit build passes float8 by value";
		}
		if (this.abiExtra != null && !this.abiExtra.equals(COMMUNITY_ABI)) {
			return "it is built for the server ABI '" + this.abiExtra + "', not the community server's '"
					+ COMMUNITY_ABI + "'";
		}
		return null;
	}

	private String describeVersion() {
		return (this.version % 100 == 0 && this.version >= 1000) ? Integer.toString(this.version / 100)
				: "version " + this.version;
	}

}
