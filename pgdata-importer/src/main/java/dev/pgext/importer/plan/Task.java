package dev.pgext.importer.plan;

import dev.pgext.importer.keyspace.Key;

/**
 * One piece of work inside a job, covering keys in increasing order.
 */
public sealed interface Task {

	/** First key the task writes. */
	Key first();

	/** Bytes of values the task writes, for sizing jobs and progress. */
	long bytes();

	/**
	 * A value known when planning (directories, sizes, control data).
	 *
	 * @param key the key
	 * @param value the value
	 */
	record Value(Key key, byte[] value) implements Task {

		@Override
		public Key first() {
			return this.key;
		}

		@Override
		public long bytes() {
			return this.value.length;
		}

	}

	/**
	 * A whole small file as one value (a relation map), checked when read.
	 *
	 * @param key the key
	 * @param file the file as frozen in the manifest (its listed size, checked by the
	 * planner, and ETag, which every read must match)
	 */
	record FileValue(Key key, ManifestEntry file) implements Task {

		@Override
		public Key first() {
			return this.key;
		}

		@Override
		public long bytes() {
			return this.file.size();
		}

		/** The file's path. */
		public String path() {
			return this.file.path();
		}

	}

	/**
	 * Consecutive 8 KiB blocks of one file, each written under consecutive keys.
	 *
	 * @param firstKey key of the first block
	 * @param file the file as frozen in the manifest (the reads are checked against its
	 * listed size and ETag), shared by every task of the file
	 * @param fileBlock block number of the first block within the file
	 * @param forkBlock block number of the first block within the relation fork (for
	 * checksums)
	 * @param count number of blocks
	 * @param relation whether the blocks are relation pages (verified) or SLRU pages
	 * (opaque)
	 */
	record Blocks(Key firstKey, ManifestEntry file, long fileBlock, long forkBlock, int count,
			boolean relation) implements Task {

		/** The file's path. */
		public String path() {
			return this.file.path();
		}

		@Override
		public Key first() {
			return this.firstKey;
		}

		@Override
		public long bytes() {
			return (long) this.count * 8192;
		}

	}

}
