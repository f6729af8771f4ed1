package dev.pgext.importer.pgdata;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code backup_manifest} that {@code pg_basebackup} (PostgreSQL 13 and later) writes
 * next to the data files: every file's path, size and checksum, and a SHA-256 of the
 * manifest itself.
 */
public final class BackupManifest {

	/** Its name in the PGDATA root. */
	public static final String FILE_NAME = "backup_manifest";

	private static final String SOURCE = "backup_manifest";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private BackupManifest() {
	}

	/**
	 * The files listed by {@code bytes}, after checking the manifest's own checksum.
	 * @throws InvalidPgdataException when the manifest is not one, or its checksum does
	 * not match
	 */
	public static List<FileCheck> parse(byte[] bytes) {
		JsonNode root;
		try {
			root = JSON.readTree(bytes);
		}
		catch (JacksonException ex) {
			throw new InvalidPgdataException("backup_manifest is not valid JSON");
		}
		int version = root.path("PostgreSQL-Backup-Manifest-Version").asInt(0);
		if (version != 1 && version != 2) {
			throw new InvalidPgdataException("backup_manifest has an unsupported PostgreSQL-Backup-Manifest-Version");
		}
		verifyOwnChecksum(bytes, root.path("Manifest-Checksum").asString(""));
		JsonNode files = root.path("Files");
		if (!files.isArray()) {
			throw new InvalidPgdataException("backup_manifest has no Files array");
		}
		List<FileCheck> checks = new ArrayList<>(files.size());
		for (JsonNode file : files) {
			String path = file.has("Path") ? file.path("Path").asString() : new String(
					HexFormat.of().parseHex(file.path("Encoded-Path").asString("")), StandardCharsets.UTF_8);
			if (!file.path("Size").isIntegralNumber()) {
				throw new InvalidPgdataException("backup_manifest lists '" + path + "' without a Size");
			}
			ChecksumAlgorithm algorithm = file.has("Checksum-Algorithm")
					? ChecksumAlgorithm.of(file.path("Checksum-Algorithm").asString(), SOURCE) : ChecksumAlgorithm.NONE;
			checks.add(new FileCheck(path, file.path("Size").asLong(), algorithm, file.path("Checksum").asString(""),
					SOURCE));
		}
		return List.copyOf(checks);
	}

	/**
	 * Postgres' rule: the SHA-256 covers every byte up to and including the newline
	 * before the last line (the line that carries the checksum).
	 */
	private static void verifyOwnChecksum(byte[] bytes, String expected) {
		int last = -1;
		int penultimate = -1;
		for (int i = 0; i < bytes.length; i++) {
			if (bytes[i] == '\n') {
				penultimate = last;
				last = i;
			}
		}
		if (penultimate < 0 || expected.isEmpty()) {
			throw new InvalidPgdataException("backup_manifest has no Manifest-Checksum line");
		}
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(bytes, 0, penultimate + 1);
			String actual = HexFormat.of().formatHex(sha.digest());
			if (!actual.equalsIgnoreCase(expected)) {
				throw new InvalidPgdataException("backup_manifest fails its own checksum (Manifest-Checksum " + expected
						+ ", computed " + actual + "): the manifest is damaged");
			}
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
