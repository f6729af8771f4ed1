package dev.pgext.importer.keyspace;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * One key of the storage key space: 18 bytes compared as the tuple of six unsigned fields
 * {@code field1 u8 | field2 u32 | field3 u32 | field4 u32 | field5 u8 | field6 u32}.
 *
 * @param field1 kind of key (0 relations, 1 SLRUs, 2 two-phase state, 3 control data)
 * @param field2 tablespace OID, or the SLRU kind
 * @param field3 database OID
 * @param field4 relfilenode, or the SLRU segment number
 * @param field5 fork number
 * @param field6 block number, or a marker ({@link #SIZE_MARKER} for sizes)
 */
public record Key(int field1, int field2, int field3, int field4, int field5, int field6) implements Comparable<Key> {

	/** Serialized size. */
	public static final int SIZE = 18;

	/**
	 * field6 of the key that holds a relation fork's or an SLRU segment's size in blocks.
	 */
	public static final int SIZE_MARKER = 0xFFFFFFFF;

	/** The smallest key. */
	public static final Key MIN = new Key(0, 0, 0, 0, 0, 0);

	/** The largest key. */
	public static final Key MAX = new Key(0xFF, -1, -1, -1, 0xFF, -1);

	public Key {
		if ((field1 & ~0xFF) != 0 || (field5 & ~0xFF) != 0) {
			throw new IllegalArgumentException("field1 and field5 are single bytes");
		}
	}

	/** The next key in order; the key range end that includes this key. */
	public Key next() {
		if (this.field6 != -1) {
			return new Key(this.field1, this.field2, this.field3, this.field4, this.field5, this.field6 + 1);
		}
		if (this.field5 != 0xFF) {
			return new Key(this.field1, this.field2, this.field3, this.field4, this.field5 + 1, 0);
		}
		if (this.field4 != -1) {
			return new Key(this.field1, this.field2, this.field3, this.field4 + 1, 0, 0);
		}
		if (this.field3 != -1) {
			return new Key(this.field1, this.field2, this.field3 + 1, 0, 0, 0);
		}
		if (this.field2 != -1) {
			return new Key(this.field1, this.field2 + 1, 0, 0, 0, 0);
		}
		if (this.field1 != 0xFF) {
			return new Key(this.field1 + 1, 0, 0, 0, 0, 0);
		}
		throw new IllegalStateException("the maximum key has no successor");
	}

	/** The key {@code blocks} blocks further in field6 (same relation or segment). */
	public Key plusBlocks(long blocks) {
		long block = Integer.toUnsignedLong(this.field6) + blocks;
		if (block < 0 || block > 0xFFFFFFFFL) {
			throw new IllegalArgumentException("block number out of range: " + block);
		}
		return new Key(this.field1, this.field2, this.field3, this.field4, this.field5, (int) block);
	}

	public void writeTo(ByteBuffer buffer) {
		buffer.put((byte) this.field1)
			.putInt(this.field2)
			.putInt(this.field3)
			.putInt(this.field4)
			.put((byte) this.field5)
			.putInt(this.field6);
	}

	public byte[] toBytes() {
		ByteBuffer buffer = ByteBuffer.allocate(SIZE);
		writeTo(buffer);
		return buffer.array();
	}

	public static Key readFrom(ByteBuffer buffer) {
		return new Key(buffer.get() & 0xFF, buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.get() & 0xFF,
				buffer.getInt());
	}

	/** 36 lower-case hex digits, in key order. */
	public String toHex() {
		return HexFormat.of().formatHex(toBytes());
	}

	public static Key fromHex(String hex) {
		if (hex == null || hex.length() != SIZE * 2) {
			throw new IllegalArgumentException("a key is " + (SIZE * 2) + " hex digits: " + hex);
		}
		return readFrom(ByteBuffer.wrap(HexFormat.of().parseHex(hex)));
	}

	@Override
	public int compareTo(Key other) {
		int c = Integer.compare(this.field1, other.field1);
		if (c == 0) {
			c = Integer.compareUnsigned(this.field2, other.field2);
		}
		if (c == 0) {
			c = Integer.compareUnsigned(this.field3, other.field3);
		}
		if (c == 0) {
			c = Integer.compareUnsigned(this.field4, other.field4);
		}
		if (c == 0) {
			c = Integer.compare(this.field5, other.field5);
		}
		if (c == 0) {
			c = Integer.compareUnsigned(this.field6, other.field6);
		}
		return c;
	}

	@Override
	public String toString() {
		return toHex();
	}

}
