package dev.pgext.importer.pgdata;

/**
 * The PGDATA cannot be imported as it is: a file fails a check, is of an unknown kind, or
 * holds state this importer refuses to drop. The message says which file and why.
 */
public class InvalidPgdataException extends RuntimeException {

	public InvalidPgdataException(String message) {
		super(message);
	}

}
