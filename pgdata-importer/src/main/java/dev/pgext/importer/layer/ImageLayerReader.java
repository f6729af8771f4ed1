package dev.pgext.importer.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.zip.CRC32C;

import com.github.luben.zstd.Zstd;

import dev.pgext.importer.keyspace.Key;

/**
 * Reads an image layer file: checks the header, trailer and checksum on open, then
 * answers point lookups by binary search over the index, or walks every key in order.
 */
public final class ImageLayerReader implements AutoCloseable {

	private final FileChannel channel;

	private final Key start;

	private final Key end;

	private final long lsn;

	private final ByteBuffer index;

	private final int entries;

	private final long indexOffset;

	private ImageLayerReader(FileChannel channel, Key start, Key end, long lsn, ByteBuffer index, int entries,
			long indexOffset) {
		this.channel = channel;
		this.start = start;
		this.end = end;
		this.lsn = lsn;
		this.index = index;
		this.entries = entries;
		this.indexOffset = indexOffset;
	}

	/** Opens a layer, verifying its structure and its CRC over the whole file. */
	public static ImageLayerReader open(Path file) throws IOException {
		FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
		try {
			return open(channel);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	private static ImageLayerReader open(FileChannel channel) throws IOException {
		long size = channel.size();
		if (size < ImageLayerFormat.HEADER_SIZE + ImageLayerFormat.TRAILER_SIZE) {
			throw new LayerFormatException("file of " + size + " bytes is too small for a layer");
		}
		ByteBuffer header = read(channel, 0, ImageLayerFormat.HEADER_SIZE);
		byte[] magic = new byte[8];
		header.get(magic);
		if (!Arrays.equals(magic, ImageLayerFormat.MAGIC)) {
			throw new LayerFormatException("not an image layer (bad magic)");
		}
		int version = Short.toUnsignedInt(header.getShort());
		if (version != ImageLayerFormat.VERSION) {
			throw new LayerFormatException("unsupported layer format version " + version);
		}
		header.getShort();
		header.getInt();
		Key start = Key.readFrom(header);
		Key end = Key.readFrom(header);
		long lsn = header.getLong();
		ByteBuffer trailer = read(channel, size - ImageLayerFormat.TRAILER_SIZE, ImageLayerFormat.TRAILER_SIZE);
		long indexOffset = trailer.getLong();
		int entries = trailer.getInt();
		int crc = trailer.getInt();
		byte[] endMagic = new byte[8];
		trailer.get(endMagic);
		if (!Arrays.equals(endMagic, ImageLayerFormat.END_MAGIC)) {
			throw new LayerFormatException("layer is truncated (bad trailer)");
		}
		long indexLength = (long) entries * ImageLayerFormat.ENTRY_SIZE;
		if (entries <= 0 || indexOffset < ImageLayerFormat.HEADER_SIZE
				|| indexOffset + indexLength != size - ImageLayerFormat.TRAILER_SIZE
				|| indexLength > Integer.MAX_VALUE) {
			throw new LayerFormatException("layer index is out of bounds");
		}
		CRC32C computed = new CRC32C();
		ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
		long position = 0;
		long covered = size - 12;
		while (position < covered) {
			chunk.clear().limit((int) Math.min(chunk.capacity(), covered - position));
			int n = channel.read(chunk, position);
			if (n <= 0) {
				throw new LayerFormatException("layer is shorter than its trailer says");
			}
			chunk.flip();
			computed.update(chunk);
			position += n;
		}
		if ((int) computed.getValue() != crc) {
			throw new LayerFormatException(String.format("layer checksum mismatch (stored %08x, computed %08x)", crc,
					(int) computed.getValue()));
		}
		ByteBuffer index = read(channel, indexOffset, (int) indexLength);
		return new ImageLayerReader(channel, start, end, lsn, index, entries, indexOffset);
	}

	public Key start() {
		return this.start;
	}

	public Key end() {
		return this.end;
	}

	public long lsn() {
		return this.lsn;
	}

	public int entries() {
		return this.entries;
	}

	/** The value of {@code key}, or empty when this layer has no image of it. */
	public Optional<byte[]> get(Key key) throws IOException {
		int low = 0;
		int high = this.entries - 1;
		while (low <= high) {
			int mid = (low + high) >>> 1;
			int c = keyAt(mid).compareTo(key);
			if (c < 0) {
				low = mid + 1;
			}
			else if (c > 0) {
				high = mid - 1;
			}
			else {
				return Optional.of(valueAt(mid));
			}
		}
		return Optional.empty();
	}

	/** Calls {@code consumer} with every key and value, in key order. */
	public void forEach(BiConsumer<Key, byte[]> consumer) throws IOException {
		for (int i = 0; i < this.entries; i++) {
			consumer.accept(keyAt(i), valueAt(i));
		}
	}

	private Key keyAt(int i) {
		return Key.readFrom(this.index.duplicate().position(i * ImageLayerFormat.ENTRY_SIZE));
	}

	private byte[] valueAt(int i) throws IOException {
		ByteBuffer entry = this.index.duplicate().position(i * ImageLayerFormat.ENTRY_SIZE + Key.SIZE);
		long offset = entry.getLong();
		int stored = entry.getInt();
		int raw = entry.getInt();
		int encoding = entry.get();
		if (stored < 0 || raw < 0 || raw > ImageLayerFormat.MAX_VALUE_SIZE || stored > ImageLayerFormat.MAX_VALUE_SIZE
				|| offset < ImageLayerFormat.HEADER_SIZE || offset + stored > this.indexOffset) {
			throw new LayerFormatException("index entry " + i + " has an impossible length");
		}
		byte[] bytes = read(this.channel, offset, stored).array();
		if (encoding == ImageLayerFormat.ENCODING_RAW) {
			return bytes;
		}
		if (encoding != ImageLayerFormat.ENCODING_ZSTD) {
			throw new LayerFormatException("index entry " + i + " has unknown encoding " + encoding);
		}
		byte[] value = new byte[raw];
		long n = Zstd.decompressByteArray(value, 0, raw, bytes, 0, stored);
		if (Zstd.isError(n) || n != raw) {
			throw new LayerFormatException("value " + i + " does not decompress to " + raw + " bytes");
		}
		return value;
	}

	private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(length);
		while (buffer.hasRemaining()) {
			if (channel.read(buffer, position + buffer.position()) < 0) {
				throw new LayerFormatException("layer is shorter than its index says");
			}
		}
		return buffer.flip();
	}

	@Override
	public void close() throws IOException {
		this.channel.close();
	}

}
