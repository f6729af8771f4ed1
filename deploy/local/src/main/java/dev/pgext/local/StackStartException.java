package dev.pgext.local;

/**
 * A part of the local stack did not start or does not answer; the message says which and
 * why.
 */
class StackStartException extends RuntimeException {

	private final String part;

	StackStartException(String part, String reason) {
		super(part + ": " + reason);
		this.part = part;
	}

	StackStartException(String part, String reason, Throwable cause) {
		super(part + ": " + reason, cause);
		this.part = part;
	}

	/**
	 * The part that failed: {@code S3}, {@code registry database}, {@code registry},
	 * {@code importer}, {@code loader} or {@code compute}.
	 */
	String part() {
		return this.part;
	}

}
