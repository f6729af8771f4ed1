package dev.pgext.loader.jit;

/**
 * No extension available to this compute owns the file Postgres asked for: the JIT answer
 * is {@code 404} and nothing is written.
 */
public class UnknownExtensionFileException extends RuntimeException {

	public UnknownExtensionFileException(String filename, boolean isLibrary) {
		super("no extension available to this compute provides " + (isLibrary ? "library " : "file or extension ")
				+ filename);
	}

}
