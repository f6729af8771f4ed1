package dev.pgext.model.store;

/**
 * A store call that failed for good: a client error, or a server error after every retry.
 */
public class ObjectStoreException extends RuntimeException {

	private final int statusCode;

	public ObjectStoreException(String message, int statusCode, Throwable cause) {
		super(message, cause);
		this.statusCode = statusCode;
	}

	/** The HTTP status S3 answered with, or 0 when no answer came (network, timeout). */
	public int statusCode() {
		return this.statusCode;
	}

	/**
	 * Whether the store refused the request itself (a 4xx other than 429): retrying
	 * cannot help and the store is not unavailable.
	 */
	public boolean isClientError() {
		return this.statusCode >= 400 && this.statusCode < 500 && this.statusCode != 429;
	}

}
