package dev.pgext.bundle.fetch;

/**
 * The bundle a pin names is missing or is not what the pin says; nothing was placed.
 */
public class FetchException extends RuntimeException {

	public FetchException(String message) {
		super(message);
	}

}
