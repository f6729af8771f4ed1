package dev.pgext.importer.run;

/**
 * The import cannot go on; the message is the reason recorded in {@code index_part.json}
 * and reported to the control plane.
 */
public class ImportFailedException extends RuntimeException {

	public ImportFailedException(String message) {
		super(message);
	}

	public ImportFailedException(String message, Throwable cause) {
		super(message, cause);
	}

}
