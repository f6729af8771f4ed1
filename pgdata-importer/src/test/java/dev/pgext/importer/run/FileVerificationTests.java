package dev.pgext.importer.run;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.importer.pgdata.ChecksumAlgorithm;
import dev.pgext.importer.pgdata.FileCheck;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.plan.Manifest;
import dev.pgext.importer.plan.ManifestEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileVerificationTests {

	private static final String SOURCE = "backup_manifest";

	@TempDir
	Path dir;

	@Test
	void listingThatMatchesTheChecksInAnyOrderPasses() {
		Manifest manifest = manifest(
				List.of(file("base/5/100", 8192), file("base/5/20", 16384), file("global/pg_control", 8192),
						file("pg_wal/000000010000000000000001", 16)),
				List.of(check("global/pg_control", 8192), check("base/5/20", 16384), check("base/5/100", 8192)));

		FileVerification files = FileVerification.of(manifest, true, this.dir.resolve("run"));

		assertThat(files.active()).isTrue();
	}

	@Test
	void fileOfAnotherSizeThanItsCheckFailsNamingIt() {
		Manifest manifest = manifest(List.of(file("base/5/100", 8192), file("base/5/20", 8192)),
				List.of(check("base/5/20", 16384), check("base/5/100", 8192)));

		assertThatThrownBy(() -> FileVerification.of(manifest, true, this.dir.resolve("run")))
			.isInstanceOf(InvalidPgdataException.class)
			.hasMessage("'base/5/20' is 8192 bytes, but backup_manifest says 16384: the file is truncated or changed");
	}

	@Test
	void checkedFileThatWasNotUploadedFailsNamingIt() {
		Manifest manifest = manifest(List.of(file("base/5/100", 8192), file("base/5/300", 8192)),
				List.of(check("base/5/300", 8192), check("base/5/200", 8192), check("base/5/100", 8192)));

		assertThatThrownBy(() -> FileVerification.of(manifest, true, this.dir.resolve("run")))
			.isInstanceOf(InvalidPgdataException.class)
			.hasMessage("'base/5/200' is listed in backup_manifest but was not uploaded");
	}

	@Test
	void checkedFileAfterTheLastUploadedOneThatWasNotUploadedFailsNamingIt() {
		Manifest manifest = manifest(List.of(file("base/5/100", 8192)),
				List.of(check("base/5/100", 8192), check("global/pg_control", 8192)));

		assertThatThrownBy(() -> FileVerification.of(manifest, true, this.dir.resolve("run")))
			.isInstanceOf(InvalidPgdataException.class)
			.hasMessage("'global/pg_control' is listed in backup_manifest but was not uploaded");
	}

	@Test
	void uploadedFileNobodyListedFailsNamingItButWalIsExempt() {
		Manifest manifest = manifest(List.of(file("base/5/100", 8192), file("base/5/101", 8192),
				file("pg_wal/000000010000000000000001", 16)), List.of(check("base/5/100", 8192)));

		assertThatThrownBy(() -> FileVerification.of(manifest, true, this.dir.resolve("run")))
			.isInstanceOf(InvalidPgdataException.class)
			.hasMessage("'base/5/101' was uploaded but is not listed in backup_manifest");
	}

	@Test
	void pathListedByBothListsIsCheckedAgainstBoth() {
		Manifest manifest = manifest(List.of(file("base/5/100", 8192)), List.of(check("base/5/100", 8192),
				new FileCheck("base/5/100", 0, ChecksumAlgorithm.NONE, null, "the file list of 'status/pgdata'")));

		assertThatThrownBy(() -> FileVerification.of(manifest, true, this.dir.resolve("run")))
			.isInstanceOf(InvalidPgdataException.class)
			.hasMessageContaining("'base/5/100' is 8192 bytes, but the file list of 'status/pgdata' says 0");
	}

	/**
	 * The checks are kept sorted in a local file and looked up by binary search: every
	 * file of a long list finds its own checksums (both of a file listed twice), and a
	 * byte of another file's content fails naming the file.
	 */
	@Test
	void everyFileOfALongListIsCheckedAgainstItsOwnChecksums() throws Exception {
		List<ManifestEntry> files = new java.util.ArrayList<>();
		List<FileCheck> checks = new java.util.ArrayList<>();
		for (int i = 2999; i >= 0; i--) {
			String path = "base/5/" + (16384 + i * 7);
			byte[] content = content(path);
			files.add(file(path, content.length));
			checks.add(new FileCheck(path, content.length, ChecksumAlgorithm.SHA256,
					dev.pgext.model.Sha256Digest.of(content).hex(), SOURCE));
			if (i % 100 == 0) {
				checks.add(new FileCheck(path, content.length, ChecksumAlgorithm.NONE, null,
						"the file list of 'status/pgdata'"));
			}
		}
		files.sort(java.util.Comparator.comparing(ManifestEntry::path));

		FileVerification verification = FileVerification.of(manifest(files, checks), true, this.dir.resolve("run"));

		for (ManifestEntry file : files) {
			verification.verifyWhole(file.path(), content(file.path()));
		}
		assertThat(verification.start("base/5/16385", 10, true)).isNull();
		assertThatThrownBy(() -> verification.verifyWhole("base/5/16391", content("base/5/16384")))
			.isInstanceOf(InvalidPgdataException.class)
			.hasMessageStartingWith("'base/5/16391' does not match backup_manifest: its SHA256 is");
		assertThat(this.dir.resolve("run")).isDirectoryContaining((p) -> p.endsWith("checks.sorted"))
			.isDirectoryNotContaining((p) -> p.toString().endsWith(".unsorted"));
	}

	private static byte[] content(String path) {
		return (path + "\n").repeat(path.length()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
	}

	private Manifest manifest(List<ManifestEntry> files, List<FileCheck> checks) {
		Manifest.Writer writer = Manifest.writer(this.dir.resolve("import_manifest.json"));
		files.forEach(writer::add);
		return writer.finish(checks);
	}

	private static ManifestEntry file(String path, long size) {
		return new ManifestEntry(path, size, "\"etag\"");
	}

	private static FileCheck check(String path, long size) {
		return new FileCheck(path, size, ChecksumAlgorithm.NONE, null, SOURCE);
	}

}
