package dev.pgext.importer.layer;

/**
 * An image layer file is not one this code wrote: wrong magic, version, checksum or
 * index.
 */
public class LayerFormatException extends RuntimeException {

	public LayerFormatException(String message) {
		super(message);
	}

}
