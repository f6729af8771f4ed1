package dev.pgext.importer.keyspace;

/**
 * Which part of a tenant's key space one shard holds. Relation blocks are spread over the
 * shards in stripes of {@code stripeSize} blocks; init forks, SLRUs and two-phase state
 * live on shard 0; directories, relation maps, sizes and control data are on every shard.
 *
 * @param number this shard, from 0
 * @param count shards of the tenant, at least 1
 * @param stripeSize blocks per stripe
 */
public record ShardIdentity(int number, int count, int stripeSize) {

	public ShardIdentity {
		if (count < 1 || count > 255) {
			throw new IllegalArgumentException("shard count must be 1..255, not " + count);
		}
		if (number < 0 || number >= count) {
			throw new IllegalArgumentException("shard number must be 0.." + (count - 1) + ", not " + number);
		}
		if (stripeSize < 1) {
			throw new IllegalArgumentException("stripe size must be at least one block");
		}
	}

	/**
	 * Four hex digits, number then count: {@code 0001} for a single shard, {@code 0104}
	 * for shard 1 of 4.
	 */
	public String slug() {
		return String.format("%02x%02x", this.number, this.count);
	}

	/** Whether this shard stores {@code key}. */
	public boolean owns(Key key) {
		if (Keys.isRelBlock(key)) {
			return shardOf(key) == this.number;
		}
		if (key.field1() == 0 || key.field1() == 3) {
			// directories, relation maps, sizes, control data: every shard answers for
			// them
			return true;
		}
		return this.number == 0;
	}

	/**
	 * The shard that holds a relation block: init forks on shard 0, other blocks by
	 * stripe.
	 */
	public int shardOf(Key key) {
		if (this.count < 2 || key.field5() == Keys.INIT_FORK) {
			return 0;
		}
		int hash = murmurhash32(key.field4());
		hash = hashCombine(hash, murmurhash32(Integer.divideUnsigned(key.field6(), this.stripeSize)));
		return Integer.remainderUnsigned(hash, this.count);
	}

	// the same mixing as Postgres' hashfn.h, so placement agrees with other
	// implementations of this layout
	static int murmurhash32(int data) {
		int h = data;
		h ^= h >>> 16;
		h *= 0x85ebca6b;
		h ^= h >>> 13;
		h *= 0xc2b2ae35;
		h ^= h >>> 16;
		return h;
	}

	static int hashCombine(int a, int b) {
		b += 0x9e3779b9 + (a << 6) + (a >>> 2);
		return a ^ b;
	}

}
