package dev.pgext.importer.pgdata;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code backup_manifest} files written by the real {@code pg_basebackup} of PostgreSQL
 * 15 against a running cluster: their own checksum verifies, and every listed file has
 * the listed size and checksum when computed the way the importer computes it (CRC-32C
 * and SHA-256).
 */
class BackupManifestIntegrationTests {

	private static Path crc32c;

	private static Path sha256;

	@BeforeAll
	static void takeBaseBackups() throws Exception {
		PostgresInstall install = PostgresInstalls.shared(15);
		Path basebackup = Files.isExecutable(install.binary("pg_basebackup")) ? install.binary("pg_basebackup")
				: Path.of("/usr/lib/postgresql/15/bin/pg_basebackup");
		assumeTrue(Files.isExecutable(basebackup), "no pg_basebackup of PostgreSQL 15 on this machine");
		Path root = Path.of("target", "basebackups").toAbsolutePath();
		FileTrees.delete(root);
		Files.createDirectories(root);
		try (PostgresCluster cluster = PostgresCluster.initdb(install, root.resolve("pgdata")).start(Map.of())) {
			crc32c = root.resolve("crc32c");
			sha256 = root.resolve("sha256");
			for (Path target : List.of(crc32c, sha256)) {
				PostgresCluster.run(
						List.of(basebackup.toString(), "-D", target.toString(), "-h", "127.0.0.1", "-p",
								Integer.toString(cluster.port()), "-U", "postgres", "-X", "fetch", "--no-sync",
								"--manifest-checksums=" + ((target == crc32c) ? "CRC32C" : "SHA256")),
						Duration.ofMinutes(2));
			}
		}
	}

	@Test
	void everyFileOfARealBaseBackupHasTheSizeAndCrc32cItsManifestLists() throws Exception {
		assertMatches(crc32c, ChecksumAlgorithm.CRC32C);
	}

	@Test
	void everyFileOfARealBaseBackupHasTheSizeAndSha256ItsManifestLists() throws Exception {
		assertMatches(sha256, ChecksumAlgorithm.SHA256);
	}

	@Test
	void aManifestChangedAfterItWasWrittenFailsItsOwnChecksum() throws Exception {
		String manifest = Files.readString(crc32c.resolve(BackupManifest.FILE_NAME));
		byte[] changed = manifest.replaceFirst("\"Size\": (\\d)", "\"Size\": 9$1").getBytes(StandardCharsets.UTF_8);
		assertThatThrownBy(() -> BackupManifest.parse(changed)).isInstanceOf(InvalidPgdataException.class)
			.hasMessageContaining("backup_manifest fails its own checksum");
	}

	@Test
	void aRealManifestReadAsAStreamInSmallPiecesGivesWhatItsBytesGive() throws Exception {
		byte[] bytes = Files.readAllBytes(crc32c.resolve(BackupManifest.FILE_NAME));
		// 7 bytes per read: lines, and the newlines the checksum ends at, are split
		// across reads
		InputStream trickle = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(bytes)) {
			@Override
			public int read(byte[] b, int off, int len) throws java.io.IOException {
				return super.read(b, off, Math.min(len, 7));
			}
		};
		assertThat(BackupManifest.parse(trickle)).isEqualTo(BackupManifest.parse(bytes)).hasSizeGreaterThan(500);
	}

	private static void assertMatches(Path backup, ChecksumAlgorithm algorithm) throws Exception {
		List<FileCheck> checks = BackupManifest.parse(Files.readAllBytes(backup.resolve(BackupManifest.FILE_NAME)));
		assertThat(checks).hasSizeGreaterThan(500).allSatisfy((c) -> assertThat(c.algorithm()).isEqualTo(algorithm));
		assertThat(checks).extracting(FileCheck::path).contains("global/pg_control", "backup_label");
		for (FileCheck check : checks) {
			byte[] bytes = Files.readAllBytes(backup.resolve(check.path()));
			assertThat(bytes.length).as(check.path()).isEqualTo(check.size());
			ChecksumAlgorithm.Running running = algorithm.start();
			running.update(bytes, 0, bytes.length);
			assertThat(running.hex()).as(check.path()).isEqualTo(check.checksum());
		}
	}

}
