package dev.pgext.importer.pgdata;

import java.util.Locale;

/**
 * What one PGDATA file must be, according to a list that knows the sizes: the
 * {@code backup_manifest} of {@code pg_basebackup} or the file list of the upload's
 * {@code status/pgdata} object.
 *
 * @param path path relative to the PGDATA root
 * @param size size in bytes
 * @param algorithm how {@code checksum} was computed
 * @param checksum lower-case hex, empty when {@code algorithm} is
 * {@link ChecksumAlgorithm#NONE}
 * @param source where the expectation comes from, for error messages
 */
public record FileCheck(String path, long size, ChecksumAlgorithm algorithm, String checksum, String source) {

	public FileCheck {
		if (path == null || path.isEmpty()) {
			throw new InvalidPgdataException(source + " lists a file without a path");
		}
		if (size < 0) {
			throw new InvalidPgdataException(source + " lists '" + path + "' with a negative size");
		}
		algorithm = (algorithm != null) ? algorithm : ChecksumAlgorithm.NONE;
		checksum = (checksum != null) ? checksum.toLowerCase(Locale.ROOT) : "";
		if (algorithm != ChecksumAlgorithm.NONE && !checksum.matches("[0-9a-f]{" + algorithm.hexLength() + "}")) {
			throw new InvalidPgdataException(source + " lists '" + path + "' with a " + algorithm.label()
					+ " checksum that is not " + algorithm.hexLength() + " hex digits");
		}
	}

}
