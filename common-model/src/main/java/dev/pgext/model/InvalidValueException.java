package dev.pgext.model;

/**
 * A value of the vocabulary (an extension name or version, a Postgres major, a tenant id,
 * a sha256 digest) that breaks its rules. It is what outside input gets wrong, so a
 * service may answer it as a client error; any other {@link IllegalArgumentException} is
 * a programming error and is not the caller's fault.
 */
public class InvalidValueException extends IllegalArgumentException {

	public InvalidValueException(String message) {
		super(message);
	}

}
