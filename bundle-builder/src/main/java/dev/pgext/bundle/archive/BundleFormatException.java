package dev.pgext.bundle.archive;

import java.io.IOException;

/**
 * A bundle archive or tree does not match the bundle format or its own manifest.
 */
public class BundleFormatException extends IOException {

	public BundleFormatException(String message) {
		super(message);
	}

}
