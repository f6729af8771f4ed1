package dev.pgext.importer.run;

/**
 * A request the importer turns down; the kind decides the problem type and status.
 */
public class ImportRejectedException extends RuntimeException {

	private final Kind kind;

	public ImportRejectedException(Kind kind, String message) {
		super(message);
		this.kind = kind;
	}

	public Kind kind() {
		return this.kind;
	}

	/**
	 * Why a request is turned down.
	 */
	public enum Kind {

		/** The tenant has no shard of that number here. */
		UNKNOWN_SHARD,

		/** No import of that timeline on that shard. */
		NOT_FOUND,

		/** The timeline exists with another idempotency key or location. */
		IDEMPOTENCY_CONFLICT,

		/** The input bucket is not allowed. */
		BUCKET_NOT_ALLOWED,

		/**
		 * The input location overlaps where the importer writes: its storage bucket's
		 * {@code tenants/}.
		 */
		LOCATION_OVERLAPS_OUTPUT,

		/** The import already ended; it cannot be cancelled. */
		ALREADY_FINISHED,

		/** The import did not fail; only a failed import can be retried. */
		NOT_FAILED

	}

}
