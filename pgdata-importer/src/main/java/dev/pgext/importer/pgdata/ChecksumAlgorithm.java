package dev.pgext.importer.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The file checksums a {@code backup_manifest} may carry (its
 * {@code Checksum-Algorithm}), and SHA-256 for the upload's own file list.
 */
public enum ChecksumAlgorithm {

	/** No checksum: only the size is checked. */
	NONE("NONE", 0),

	/**
	 * CRC-32C as {@code pg_basebackup} writes it: the four bytes of the finished CRC in
	 * the byte order of the machine that wrote it (little-endian on every platform
	 * Postgres ships for), in hex.
	 */
	CRC32C("CRC32C", 8),

	SHA224("SHA224", 56),

	SHA256("SHA256", 64),

	SHA384("SHA384", 96),

	SHA512("SHA512", 128);

	private final String label;

	private final int hexLength;

	ChecksumAlgorithm(String label, int hexLength) {
		this.label = label;
		this.hexLength = hexLength;
	}

	public String label() {
		return this.label;
	}

	int hexLength() {
		return this.hexLength;
	}

	/** The algorithm named {@code label} in a manifest, case-insensitively. */
	public static ChecksumAlgorithm of(String label, String source) {
		String wanted = (label != null) ? label.toUpperCase(Locale.ROOT).replace("-", "") : "";
		for (ChecksumAlgorithm algorithm : values()) {
			if (algorithm.label.equals(wanted)) {
				return algorithm;
			}
		}
		throw new InvalidPgdataException(source + " names an unknown checksum algorithm '" + label + "'");
	}

	/** A checksum being computed, fed in file order. */
	public Running start() {
		return switch (this) {
			case NONE -> new Running() {
				@Override
				public void update(byte[] bytes, int offset, int length) {
				}

				@Override
				public String hex() {
					return "";
				}
			};
			case CRC32C -> new Running() {
				private final CRC32C crc = new CRC32C();

				@Override
				public void update(byte[] bytes, int offset, int length) {
					this.crc.update(bytes, offset, length);
				}

				@Override
				public String hex() {
					byte[] le = ByteBuffer.allocate(4)
						.order(ByteOrder.LITTLE_ENDIAN)
						.putInt((int) this.crc.getValue())
						.array();
					return HexFormat.of().formatHex(le);
				}
			};
			default -> new Running() {
				private final MessageDigest digest = digest(ChecksumAlgorithm.this);

				@Override
				public void update(byte[] bytes, int offset, int length) {
					this.digest.update(bytes, offset, length);
				}

				@Override
				public String hex() {
					return HexFormat.of().formatHex(this.digest.digest());
				}
			};
		};
	}

	private static MessageDigest digest(ChecksumAlgorithm algorithm) {
		try {
			return MessageDigest.getInstance("SHA-" + algorithm.label.substring(3));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A checksum in progress.
	 */
	public interface Running {

		void update(byte[] bytes, int offset, int length);

		/** The finished checksum in the manifest's notation. */
		String hex();

	}

}
