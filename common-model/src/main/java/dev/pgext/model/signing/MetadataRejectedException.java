package dev.pgext.model.signing;

/**
 * A signed document was refused: nothing it names may be trusted. The {@link Reason} is
 * stable, for metrics and for a caller to tell the cases apart.
 */
public class MetadataRejectedException extends RuntimeException {

	private final Reason reason;

	public MetadataRejectedException(Reason reason, String message) {
		super(message);
		this.reason = reason;
	}

	public Reason reason() {
		return this.reason;
	}

	/** Why a document was refused. */
	public enum Reason {

		/** Signatures are required and the document has none. */
		UNSIGNED("unsigned"),

		/** The signature document cannot be read. */
		MALFORMED("malformed"),

		/** The signature names a key that is not trusted. */
		UNKNOWN_KEY("unknown-key"),

		/**
		 * The signature does not verify, or covers other bytes or another document than
		 * the one read: the document was rewritten by someone without the key.
		 */
		BAD_SIGNATURE("bad-signature"),

		/** The signature's validity ended: a frozen or stale document. */
		EXPIRED("expired"),

		/**
		 * The document's version is lower than one already seen: a replayed older
		 * document.
		 */
		ROLLBACK("rollback");

		private final String tag;

		Reason(String tag) {
			this.tag = tag;
		}

		/** The value of a {@code reason} metric tag. */
		public String tag() {
			return this.tag;
		}

	}

}
