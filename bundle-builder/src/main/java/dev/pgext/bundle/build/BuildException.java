package dev.pgext.bundle.build;

/**
 * A bundle cannot be built from the given inputs; the message says which input or file is
 * at fault.
 */
public class BuildException extends RuntimeException {

	public BuildException(String message) {
		super(message);
	}

	public BuildException(String message, Throwable cause) {
		super(message, cause);
	}

}
