package dev.pgext.model.index;

import java.io.InputStream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.json.DocumentJson;

/**
 * Reads and writes {@code ext_index.json}. Output is deterministic: the same index always
 * gives the same bytes, so its digest can serve as an ETag.
 */
public final class ExtIndexJson {

	private static final JsonMapper MAPPER = DocumentJson.INDENTED;

	private static final JsonMapper COMPACT = DocumentJson.COMPACT;

	private ExtIndexJson() {
	}

	public static byte[] write(ExtIndex index) {
		return MAPPER.writeValueAsBytes(index);
	}

	/** The same document without indentation, for responses sent many times. */
	public static byte[] writeCompact(ExtIndex index) {
		return COMPACT.writeValueAsBytes(index);
	}

	/**
	 * Reads an index.
	 * @throws IllegalArgumentException when the bytes are not a valid index, with the
	 * reason
	 */
	public static ExtIndex read(byte[] json) {
		try {
			return MAPPER.readValue(json, ExtIndex.class);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("invalid ext_index.json: " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * Reads one entry of an index from {@code length} bytes of {@code json} at
	 * {@code offset} (an element of its {@code extensions} array), for a reader that
	 * binds only the entries it needs.
	 * @throws IllegalArgumentException when the bytes are not a valid entry, with the
	 * reason
	 */
	public static ExtIndexEntry readEntry(byte[] json, int offset, int length) {
		try {
			return MAPPER.readValue(json, offset, length, ExtIndexEntry.class);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("invalid ext_index.json entry: " + ex.getOriginalMessage(), ex);
		}
	}

	public static ExtIndex read(InputStream json) {
		try {
			return MAPPER.readValue(json, ExtIndex.class);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("invalid ext_index.json: " + ex.getOriginalMessage(), ex);
		}
	}

}
