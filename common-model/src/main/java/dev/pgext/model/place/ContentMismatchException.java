package dev.pgext.model.place;

import java.io.IOException;

/**
 * Content that is not what its index says: a different sha256, or more or fewer bytes.
 * Never worth retrying from the same source without a reason to expect other bytes.
 */
public class ContentMismatchException extends IOException {

	private static final long serialVersionUID = 1L;

	public ContentMismatchException(String message) {
		super(message);
	}

}
