package dev.pgext.importer.layer;

import java.nio.charset.StandardCharsets;

import dev.pgext.importer.keyspace.Key;

/**
 * Constants of the image layer file format (described in {@code docs/importer.md}). All
 * integers are big-endian.
 *
 * <pre>
 * header   64 bytes: magic "PGXLAYER", version u16, flags u16, 0 u32, key start (18), key end (18), LSN u64, 0 u32
 * values   the stored values, back to back, in key order
 * index    one 36-byte entry per key, in key order:
 *          key (18), value offset u64, stored length u32, raw length u32, encoding u8, 0 u8
 * trailer  24 bytes: index offset u64, entry count u32, CRC-32C of every byte before it u32, magic "PGXLEND1"
 * </pre>
 */
public final class ImageLayerFormat {

	static final byte[] MAGIC = "PGXLAYER".getBytes(StandardCharsets.US_ASCII);

	static final byte[] END_MAGIC = "PGXLEND1".getBytes(StandardCharsets.US_ASCII);

	/** The format version this code writes and reads. */
	public static final int VERSION = 1;

	static final int FLAG_ZSTD = 1;

	static final int HEADER_SIZE = 64;

	static final int ENTRY_SIZE = Key.SIZE + 8 + 4 + 4 + 2;

	static final int TRAILER_SIZE = 24;

	static final int ENCODING_RAW = 0;

	static final int ENCODING_ZSTD = 1;

	/**
	 * Largest value the format stores; pages are 8 KiB, the control file is the largest
	 * other value.
	 */
	public static final int MAX_VALUE_SIZE = 1 << 20;

	private ImageLayerFormat() {
	}

	/** The layer's file name: {@code <key start>-<key end>__<LSN as 16 hex digits>}. */
	public static String name(Key start, Key end, long lsn) {
		return start.toHex() + "-" + end.toHex() + "__" + String.format("%016x", lsn);
	}

}
