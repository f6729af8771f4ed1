package dev.pgext.importer.run;

/**
 * This instance must stop working on an import without recording anything: the import was
 * cancelled, another instance took it over, or the service is shutting down.
 */
class ImportStoppedException extends RuntimeException {

	ImportStoppedException(String message) {
		super(message);
	}

}
