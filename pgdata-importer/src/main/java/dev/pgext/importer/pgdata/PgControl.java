package dev.pgext.importer.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The fields of {@code global/pg_control} the importer needs, decoded and checked. The
 * file is in the source's native byte order; only little-endian sources (x86-64, arm64)
 * are accepted. The fields read sit at the same offsets in {@code PG_CONTROL_VERSION}
 * 1300 (Postgres 13 to 16), 1700 (17: {@code wal_level} moved into the checkpoint's
 * padding) and 1800 (18: one more flag before the nonce, which moves the CRC) on a 64-bit
 * build.
 *
 * @param pgMajor the Postgres major, from the catalog version
 * @param controlVersion {@code pg_control_version}
 * @param catalogVersion {@code catalog_version_no}
 * @param systemIdentifier the cluster's system identifier
 * @param state {@code DBState}; 1 is a clean shutdown
 * @param checkpointLsn where the last checkpoint record starts
 * @param redoLsn the checkpoint's redo pointer
 * @param blockSize {@code blcksz}
 * @param segmentBlocks {@code relseg_size}: blocks per relation segment file
 * @param dataChecksumVersion 0 when data checksums are off
 * @param raw the whole file, as read
 */
public record PgControl(int pgMajor, int controlVersion, int catalogVersion, long systemIdentifier, int state,
		long checkpointLsn, long redoLsn, int blockSize, int segmentBlocks, int dataChecksumVersion, byte[] raw) {

	/** Size of the file on disk. */
	public static final int FILE_SIZE = 8192;

	/** {@code DB_SHUTDOWNED}. */
	public static final int STATE_SHUT_DOWN = 1;

	/** The only supported page size. */
	public static final int BLOCK_SIZE = 8192;

	/** Offset of the {@code CheckPoint} copy and its size. */
	static final int CHECKPOINT_OFFSET = 40;

	static final int CHECKPOINT_SIZE = 88;

	private static final int BLCKSZ_OFFSET = 216;

	private static final int DATA_CHECKSUM_OFFSET = 252;

	private static final Map<Integer, Integer> MAJOR_BY_CATALOG_VERSION = Map.of(202107181, 14, 202209061, 15,
			202307071, 16, 202406281, 17, 202506291, 18);

	private static final Map<Integer, Integer> CONTROL_VERSION_BY_MAJOR = Map.of(14, 1300, 15, 1300, 16, 1300, 17, 1700,
			18, 1800);

	private static final String[] STATES = { "starting up", "shut down", "shut down in recovery", "shutting down",
			"in crash recovery", "in archive recovery", "in production" };

	/**
	 * Decodes and checks a {@code pg_control} file. Refuses, with the reason: a wrong
	 * size, a CRC mismatch, an unsupported control or catalog version, a page size other
	 * than 8 KiB, and a cluster that was not shut down cleanly.
	 */
	public static PgControl parse(byte[] file) {
		if (file.length != FILE_SIZE) {
			throw new InvalidPgdataException(
					"global/pg_control is " + file.length + " bytes, a control file is " + FILE_SIZE + " bytes");
		}
		ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
		int controlVersion = b.getInt(8);
		if (!CONTROL_VERSION_BY_MAJOR.containsValue(controlVersion)) {
			if (CONTROL_VERSION_BY_MAJOR.containsValue(Integer.reverseBytes(controlVersion))) {
				throw new InvalidPgdataException(
						"global/pg_control is big-endian; only little-endian clusters can be imported");
			}
			throw new InvalidPgdataException("global/pg_control has pg_control_version " + controlVersion
					+ "; supported are 1300, 1700 and 1800 (PostgreSQL 14 to 18)");
		}
		int crcOffset = (controlVersion >= 1800) ? 292 : 288;
		CRC32C crc = new CRC32C();
		crc.update(file, 0, crcOffset);
		int stored = b.getInt(crcOffset);
		if ((int) crc.getValue() != stored) {
			throw new InvalidPgdataException(String.format(
					"global/pg_control fails its CRC check (stored %08x, computed %08x): the file is corrupt", stored,
					(int) crc.getValue()));
		}
		int catalogVersion = b.getInt(12);
		Integer major = MAJOR_BY_CATALOG_VERSION.get(catalogVersion);
		if (major == null) {
			throw new InvalidPgdataException("global/pg_control has catalog version " + catalogVersion
					+ ", which is no released PostgreSQL 14 to 18");
		}
		if (CONTROL_VERSION_BY_MAJOR.get(major) != controlVersion) {
			throw new InvalidPgdataException("global/pg_control has pg_control_version " + controlVersion
					+ " but the catalog version of PostgreSQL " + major + ": the file is inconsistent");
		}
		int state = b.getInt(16);
		if (state != STATE_SHUT_DOWN) {
			String name = (state >= 0 && state < STATES.length) ? STATES[state] : "unknown state " + state;
			throw new InvalidPgdataException("the cluster was not shut down cleanly (pg_control state: " + name
					+ "); stop it with a clean shutdown before uploading");
		}
		long checkpoint = b.getLong(32);
		long redo = b.getLong(CHECKPOINT_OFFSET);
		if (checkpoint != redo) {
			throw new InvalidPgdataException(
					String.format("global/pg_control: the last checkpoint (%s) is not a shutdown checkpoint (redo %s)",
							lsn(checkpoint), lsn(redo)));
		}
		int blockSize = b.getInt(BLCKSZ_OFFSET);
		if (blockSize != BLOCK_SIZE) {
			throw new InvalidPgdataException("the cluster uses " + blockSize + "-byte pages; only 8192 is supported");
		}
		int segmentBlocks = b.getInt(BLCKSZ_OFFSET + 4);
		if (segmentBlocks <= 0 || segmentBlocks > (1 << 20)) {
			throw new InvalidPgdataException(
					"global/pg_control has an impossible segment size of " + segmentBlocks + " blocks");
		}
		return new PgControl(major, controlVersion, catalogVersion, b.getLong(0), state, checkpoint, redo, blockSize,
				segmentBlocks, b.getInt(DATA_CHECKSUM_OFFSET), file.clone());
	}

	/** The {@code CheckPoint} struct copied into the control file. */
	public byte[] checkpointBytes() {
		return Arrays.copyOfRange(this.raw, CHECKPOINT_OFFSET, CHECKPOINT_OFFSET + CHECKPOINT_SIZE);
	}

	public boolean dataChecksums() {
		return this.dataChecksumVersion != 0;
	}

	/** An LSN as Postgres prints it, {@code 0/16B3F28}. */
	public static String lsn(long lsn) {
		return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
	}

}
