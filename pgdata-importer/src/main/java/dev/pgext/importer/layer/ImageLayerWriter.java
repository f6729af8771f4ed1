package dev.pgext.importer.layer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;

import dev.pgext.importer.keyspace.Key;

/**
 * Writes one image layer file: keys must come in strictly increasing order and inside the
 * key range. The same keys and values always give the same bytes. Values are streamed to
 * the file; only the index (36 bytes per key) is held in memory.
 */
public final class ImageLayerWriter implements AutoCloseable {

	private final Path file;

	private final Key start;

	private final Key end;

	private final int compressionLevel;

	private final OutputStream out;

	private final CRC32C crc = new CRC32C();

	private final MessageDigest sha256;

	private final byte[] compressed;

	/**
	 * One compression context for every value of the layer, instead of one made and freed
	 * per page.
	 */
	private final ZstdCompressCtx zstd;

	private boolean zstdClosed;

	private byte[] index = new byte[ImageLayerFormat.ENTRY_SIZE * 256];

	private int entries;

	private long offset;

	private Key last;

	private boolean finished;

	/**
	 * @param file where the layer is written (created or truncated)
	 * @param start first key of the range
	 * @param end end of the range, exclusive
	 * @param lsn the LSN the images are valid at
	 * @param compressionLevel zstd level for values (negative: a fast level), or 0 to
	 * store them raw
	 */
	public ImageLayerWriter(Path file, Key start, Key end, long lsn, int compressionLevel) throws IOException {
		if (start.compareTo(end) >= 0) {
			throw new IllegalArgumentException("empty key range " + start + ".." + end);
		}
		this.file = file;
		this.start = start;
		this.end = end;
		this.compressionLevel = compressionLevel;
		this.sha256 = newSha256();
		this.compressed = new byte[(int) Zstd.compressBound(ImageLayerFormat.MAX_VALUE_SIZE)];
		this.zstd = (compressionLevel != 0) ? new ZstdCompressCtx().setLevel(compressionLevel) : null;
		this.out = new BufferedOutputStream(Files.newOutputStream(file), 256 * 1024);
		ByteBuffer header = ByteBuffer.allocate(ImageLayerFormat.HEADER_SIZE);
		header.put(ImageLayerFormat.MAGIC)
			.putShort((short) ImageLayerFormat.VERSION)
			.putShort((short) ((compressionLevel != 0) ? ImageLayerFormat.FLAG_ZSTD : 0))
			.putInt(0);
		start.writeTo(header);
		end.writeTo(header);
		header.putLong(lsn).putInt(0);
		write(header.array(), 0, header.capacity());
	}

	/** Adds the value of {@code key}; {@code value[from, from+length)} is copied. */
	public void put(Key key, byte[] value, int from, int length) throws IOException {
		if (this.finished) {
			throw new IllegalStateException("layer already finished");
		}
		if (key.compareTo(this.start) < 0 || key.compareTo(this.end) >= 0) {
			throw new IllegalArgumentException(
					"key " + key + " is outside the layer's range " + this.start + ".." + this.end);
		}
		if (this.last != null && key.compareTo(this.last) <= 0) {
			throw new IllegalArgumentException("keys must be strictly increasing: " + key + " after " + this.last);
		}
		if (length > ImageLayerFormat.MAX_VALUE_SIZE) {
			throw new IllegalArgumentException("value of " + length + " bytes is too large for a layer");
		}
		int encoding = ImageLayerFormat.ENCODING_RAW;
		int storedLength = length;
		if (this.compressionLevel != 0 && length > 0) {
			int n;
			try {
				n = this.zstd.compressByteArray(this.compressed, 0, this.compressed.length, value, from, length);
			}
			catch (ZstdException ex) {
				throw new IOException("zstd: " + ex.getMessage(), ex);
			}
			// keep the compressed form only when it saves space; incompressible pages
			// stay raw
			if (n < length) {
				encoding = ImageLayerFormat.ENCODING_ZSTD;
				storedLength = n;
			}
		}
		long valueOffset = ImageLayerFormat.HEADER_SIZE + this.offset;
		if (encoding == ImageLayerFormat.ENCODING_ZSTD) {
			write(this.compressed, 0, storedLength);
		}
		else {
			write(value, from, length);
		}
		this.offset += storedLength;
		if ((this.entries + 1) * ImageLayerFormat.ENTRY_SIZE > this.index.length) {
			this.index = Arrays.copyOf(this.index, this.index.length * 2);
		}
		ByteBuffer entry = ByteBuffer.wrap(this.index, this.entries * ImageLayerFormat.ENTRY_SIZE,
				ImageLayerFormat.ENTRY_SIZE);
		key.writeTo(entry);
		entry.putLong(valueOffset).putInt(storedLength).putInt(length).put((byte) encoding).put((byte) 0);
		this.entries++;
		this.last = key;
	}

	public void put(Key key, byte[] value) throws IOException {
		put(key, value, 0, value.length);
	}

	/** Keys written so far. */
	public int entries() {
		return this.entries;
	}

	/** Writes the index and trailer and closes the file; returns its size in bytes. */
	public long finish() throws IOException {
		if (this.entries == 0) {
			throw new IllegalStateException("a layer needs at least one key");
		}
		long indexOffset = ImageLayerFormat.HEADER_SIZE + this.offset;
		write(this.index, 0, this.entries * ImageLayerFormat.ENTRY_SIZE);
		ByteBuffer trailer = ByteBuffer.allocate(ImageLayerFormat.TRAILER_SIZE);
		trailer.putLong(indexOffset).putInt(this.entries);
		write(trailer.array(), 0, 12);
		trailer.putInt((int) this.crc.getValue()).put(ImageLayerFormat.END_MAGIC);
		this.out.write(trailer.array(), 12, 12);
		this.sha256.update(trailer.array(), 12, 12);
		this.out.close();
		this.finished = true;
		closeZstd();
		return indexOffset + (long) this.entries * ImageLayerFormat.ENTRY_SIZE + ImageLayerFormat.TRAILER_SIZE;
	}

	public Path file() {
		return this.file;
	}

	/** SHA-256 of the whole file, lower-case hex; available after {@link #finish()}. */
	public String sha256() {
		if (!this.finished) {
			throw new IllegalStateException("layer not finished");
		}
		return HexFormat.of().formatHex(this.sha256.digest());
	}

	private void write(byte[] bytes, int from, int length) throws IOException {
		this.out.write(bytes, from, length);
		this.crc.update(bytes, from, length);
		this.sha256.update(bytes, from, length);
	}

	private static MessageDigest newSha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void closeZstd() {
		if (this.zstd != null && !this.zstdClosed) {
			this.zstdClosed = true;
			this.zstd.close();
		}
	}

	@Override
	public void close() {
		closeZstd();
		if (!this.finished) {
			try {
				this.out.close();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

}
