package dev.pgext.model.release;

/**
 * The registry's default limits on one artifact ({@code pgext.registry.publish.*}): the
 * registry declares them as its configuration defaults, and the CLI checks an artifact
 * against them before uploading (a registry configured otherwise stays the judge).
 */
public final class ReleaseLimits {

	/** Largest single file inside an artifact, uncompressed, in MB. */
	public static final int DEFAULT_MAX_FILE_SIZE_MB = 64;

	/** Largest sum of the uncompressed files of one artifact, in MB. */
	public static final int DEFAULT_MAX_TOTAL_SIZE_MB = 512;

	/** Most entries one artifact may hold. */
	public static final int DEFAULT_MAX_ENTRIES = 2000;

	private ReleaseLimits() {
	}

	/**
	 * {@code megabytes} in bytes, as Spring's {@code DataSize} counts them (1 MB = 1024 *
	 * 1024 bytes).
	 */
	public static long bytes(int megabytes) {
		return megabytes * 1024L * 1024L;
	}

}
