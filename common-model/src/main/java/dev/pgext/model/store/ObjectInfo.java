package dev.pgext.model.store;

import java.time.Instant;

/**
 * What the store says about one object.
 *
 * @param key the key
 * @param size size in bytes
 * @param etag the entity tag, without quotes
 * @param lastModified when it was written
 */
public record ObjectInfo(String key, long size, String etag, Instant lastModified) {

	/** Strips the quotes S3 puts around ETags. */
	static String unquote(String etag) {
		if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
			return etag.substring(1, etag.length() - 1);
		}
		return etag;
	}

}
