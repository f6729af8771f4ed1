package dev.pgext.importer.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Checks a {@code pg_filenode.map} (relation mapper file): its size for the major, its
 * magic number, its mapping count and its CRC.
 */
public final class RelMapFile {

	private static final int MAGIC = 0x592717;

	private RelMapFile() {
	}

	/** The file size of a major: 512 bytes up to PostgreSQL 15, 524 from 16. */
	public static int size(int pgMajor) {
		return (pgMajor >= 16) ? 524 : 512;
	}

	public static void verify(String path, byte[] file, int pgMajor) {
		int maxMappings = (pgMajor >= 16) ? 64 : 62;
		if (file.length != size(pgMajor)) {
			throw new InvalidPgdataException("'" + path + "' is " + file.length + " bytes; a PostgreSQL " + pgMajor
					+ " relation map is " + size(pgMajor));
		}
		ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
		if (b.getInt(0) != MAGIC) {
			throw new InvalidPgdataException("'" + path + "' is not a relation map (bad magic number)");
		}
		int count = b.getInt(4);
		if (count < 0 || count > maxMappings) {
			throw new InvalidPgdataException("'" + path + "' claims " + count + " mappings; at most " + maxMappings);
		}
		int crcOffset = 8 + maxMappings * 8;
		CRC32C crc = new CRC32C();
		crc.update(file, 0, crcOffset);
		if ((int) crc.getValue() != b.getInt(crcOffset)) {
			throw new InvalidPgdataException("'" + path + "' fails its CRC check: the file is corrupt");
		}
	}

}
