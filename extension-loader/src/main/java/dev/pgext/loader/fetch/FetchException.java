package dev.pgext.loader.fetch;

/**
 * A file or index could not be fetched or placed, with a stable reason a JIT caller and
 * the failure metrics can tell apart.
 */
public class FetchException extends RuntimeException {

	private final Reason reason;

	public FetchException(Reason reason, String message, Throwable cause) {
		super(message, cause);
		this.reason = reason;
	}

	public FetchException(Reason reason, String message) {
		this(reason, message, null);
	}

	public Reason reason() {
		return this.reason;
	}

	/** Why a fetch failed. */
	public enum Reason {

		/**
		 * The content does not have the digest or size the index promises: never placed.
		 */
		DIGEST_MISMATCH("digest-mismatch"),

		/** The index names content the store does not have. */
		MISSING("missing"),

		/** The store answered with an error, or not at all, after every retry. */
		UNAVAILABLE("unavailable"),

		/** Writing into the installation or the cache failed. */
		LOCAL_IO("local-io"),

		/**
		 * The index or manifest was refused by signature verification (unsigned, wrongly
		 * signed, unknown key, expired, rolled back): none of its digests is trusted.
		 */
		UNTRUSTED("untrusted-metadata");

		private final String tag;

		Reason(String tag) {
			this.tag = tag;
		}

		/** The value of the {@code reason} metric tag. */
		public String tag() {
			return this.tag;
		}

	}

}
