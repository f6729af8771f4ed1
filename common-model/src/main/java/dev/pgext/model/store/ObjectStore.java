package dev.pgext.model.store;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The operations pgext needs from S3. Reads return streams that the caller closes;
 * nothing here loads a whole object into memory unless asked to with
 * {@link #getBytes(String)}.
 */
public interface ObjectStore {

	/** The bucket this store writes to. */
	String bucket();

	/**
	 * Checks that the bucket exists and answers; throws {@link ObjectStoreException}
	 * otherwise.
	 */
	void checkBucket();

	/** Opens an object for reading, or empty when it does not exist. */
	Optional<InputStream> get(String key);

	/**
	 * Opens {@code length} bytes of an object from {@code offset}; empty when it does not
	 * exist.
	 */
	Optional<InputStream> getRange(String key, long offset, long length);

	/** Reads a whole (small) object, or empty when it does not exist. */
	Optional<byte[]> getBytes(String key);

	/** The object's size and ETag, or empty when it does not exist. */
	Optional<ObjectInfo> head(String key);

	/** Writes an object unconditionally, returning its new ETag. */
	String put(String key, byte[] content, String contentType);

	/** Writes a file's content unconditionally, returning its new ETag. */
	String put(String key, Path file, String contentType);

	/**
	 * Writes an object only if no object has that key ({@code If-None-Match: *}).
	 * @return the new ETag, or empty when the key already existed (nothing was written)
	 */
	Optional<String> putIfAbsent(String key, byte[] content, String contentType);

	/** {@link #putIfAbsent(String, byte[], String)} for a file's content. */
	Optional<String> putIfAbsent(String key, Path file, String contentType);

	/**
	 * Replaces an object only if its current ETag is {@code etag} ({@code If-Match}).
	 * @return the new ETag, or empty when the object changed or is gone (nothing was
	 * written)
	 */
	Optional<String> putIfMatch(String key, String etag, byte[] content, String contentType);

	/**
	 * Every object whose key starts with {@code prefix}, in key order, all pages read.
	 */
	List<ObjectInfo> list(String prefix);

	/** Calls {@code consumer} for every object under {@code prefix}, page by page. */
	void list(String prefix, Consumer<ObjectInfo> consumer);

	/** Deletes an object; deleting a missing key is not an error. */
	void delete(String key);

}
