package dev.pgext.importer.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Checks a relation page the way the server does when it reads one
 * ({@code PageIsVerified}), plus one check only an importer can make: no page may carry
 * an LSN past the checkpoint the cluster was shut down with.
 */
public final class PageVerifier {

	private static final int HEADER_SIZE = 24;

	private static final int VALID_FLAG_BITS = 0x0007;

	private static final int PAGE_LAYOUT_VERSION = 4;

	private static final int N_SUMS = 32;

	private static final int FNV_PRIME = 16777619;

	private static final int[] BASE_OFFSETS = { 0x5B1F36E9, 0xB8525960, 0x02AB50AA, 0x1DE66D2A, 0x79FF467A, 0x9BB9F8A3,
			0x217E7CD2, 0x83E13D2C, 0xF8D4474F, 0xE39EB970, 0x42C6AE16, 0x993216FA, 0x7B093B5D, 0x98DAFF3C, 0xF718902A,
			0x0B1C9CDB, 0xE58F764B, 0x187636BC, 0x5D7B3BB1, 0xE73DE7DE, 0x92BEC979, 0xCCA6C0B2, 0x304A0979, 0x85AA43D4,
			0x783125BB, 0x6CA8EAA2, 0xE407EAC6, 0x4B5CFC3E, 0x9FBF8C76, 0x15CA20BE, 0xF2CA9FD3, 0x959BD756 };

	private final long checkpointLsn;

	private final boolean checksums;

	public PageVerifier(long checkpointLsn, boolean checksums) {
		this.checkpointLsn = checkpointLsn;
		this.checksums = checksums;
	}

	/**
	 * Verifies the page at {@code offset} of {@code buffer}.
	 * @param block the block number within the relation fork (it is part of the checksum)
	 * @param where the file and block, for the message
	 * @throws InvalidPgdataException naming the failed check
	 */
	public void verify(byte[] buffer, int offset, long block, String where) {
		ByteBuffer page = ByteBuffer.wrap(buffer, offset, PgControl.BLOCK_SIZE).slice().order(ByteOrder.LITTLE_ENDIAN);
		int upper = Short.toUnsignedInt(page.getShort(14));
		if (upper == 0) {
			// a new page: valid only when it is all zeros
			for (int i = 0; i < PgControl.BLOCK_SIZE; i += 8) {
				if (page.getLong(i) != 0) {
					throw new InvalidPgdataException(where + ": page is uninitialized but not all zeros");
				}
			}
			return;
		}
		int flags = Short.toUnsignedInt(page.getShort(10));
		int lower = Short.toUnsignedInt(page.getShort(12));
		int special = Short.toUnsignedInt(page.getShort(16));
		int sizeVersion = Short.toUnsignedInt(page.getShort(18));
		if (sizeVersion != (PgControl.BLOCK_SIZE | PAGE_LAYOUT_VERSION) || (flags & ~VALID_FLAG_BITS) != 0
				|| lower < HEADER_SIZE || lower > upper || upper > special || special > PgControl.BLOCK_SIZE
				|| (special & 7) != 0) {
			throw new InvalidPgdataException(String.format(
					"%s: invalid page header (lower %d, upper %d, special %d, flags %04x, size/version %04x)", where,
					lower, upper, special, flags, sizeVersion));
		}
		long lsn = (Integer.toUnsignedLong(page.getInt(0)) << 32) | Integer.toUnsignedLong(page.getInt(4));
		if (Long.compareUnsigned(lsn, this.checkpointLsn) > 0) {
			throw new InvalidPgdataException(
					where + ": page LSN " + PgControl.lsn(lsn) + " is past the shutdown checkpoint "
							+ PgControl.lsn(this.checkpointLsn) + " (the copy is not of one consistent cluster state)");
		}
		if (this.checksums) {
			int stored = Short.toUnsignedInt(page.getShort(8));
			int computed = checksum(page, block);
			if (stored != computed) {
				throw new InvalidPgdataException(String
					.format("%s: data checksum mismatch (stored %04x, computed %04x)", where, stored, computed));
			}
		}
	}

	/** Postgres' page checksum ({@code pg_checksum_page}) of a little-endian page. */
	static int checksum(ByteBuffer page, long block) {
		int[] sums = BASE_OFFSETS.clone();
		int rows = PgControl.BLOCK_SIZE / (4 * N_SUMS);
		for (int i = 0; i < rows; i++) {
			for (int j = 0; j < N_SUMS; j++) {
				int index = (i * N_SUMS + j) * 4;
				// pd_checksum (bytes 8..9) counts as zero
				int value = (index == 8) ? (page.getInt(index) & 0xFFFF0000) : page.getInt(index);
				int tmp = sums[j] ^ value;
				sums[j] = tmp * FNV_PRIME ^ (tmp >>> 17);
			}
		}
		int result = 0;
		for (int round = 0; round < 2; round++) {
			for (int j = 0; j < N_SUMS; j++) {
				int tmp = sums[j];
				sums[j] = tmp * FNV_PRIME ^ (tmp >>> 17);
			}
		}
		for (int j = 0; j < N_SUMS; j++) {
			result ^= sums[j];
		}
		result ^= (int) block;
		return (int) (Integer.remainderUnsigned(result, 65535) + 1);
	}

}
