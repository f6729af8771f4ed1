package dev.pgext.model.postgres;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tar.xz extraction of the binaries jars, through {@code xz} and through the Java
 * decoder alike: modes, symbolic and hard links kept, escaping entries and corrupt
 * streams refused.
 */
class PostgresBinariesTests {

	@TempDir
	Path temp;

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void aTarXzIsExtractedWithItsModesAndLinks(boolean withXz) throws IOException {
		byte[] archive = txz((tar) -> {
			file(tar, "bin/postgres", "#!/bin/sh\n", 0755);
			file(tar, "share/extension/hstore.control", "comment = 'x'\n", 0644);
			TarArchiveEntry symlink = new TarArchiveEntry("lib/libpq.so", TarArchiveEntry.LF_SYMLINK);
			symlink.setLinkName("libpq.so.5");
			tar.putArchiveEntry(symlink);
			tar.closeArchiveEntry();
			TarArchiveEntry hard = new TarArchiveEntry("bin/postmaster", TarArchiveEntry.LF_LINK);
			hard.setLinkName("bin/postgres");
			tar.putArchiveEntry(hard);
			tar.closeArchiveEntry();
		});
		Path into = this.temp.resolve("into");
		Files.createDirectories(into);
		PostgresBinaries.extractTxz(new ByteArrayInputStream(archive), into, decoder(withXz));

		assertThat(into.resolve("bin/postgres")).hasContent("#!/bin/sh");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(into.resolve("bin/postgres"))))
			.isEqualTo("rwxr-xr-x");
		assertThat(PosixFilePermissions
			.toString(Files.getPosixFilePermissions(into.resolve("share/extension/hstore.control"))))
			.isEqualTo("rw-r--r--");
		assertThat(Files.readSymbolicLink(into.resolve("lib/libpq.so"))).isEqualTo(Path.of("libpq.so.5"));
		assertThat(Files.isSameFile(into.resolve("bin/postmaster"), into.resolve("bin/postgres"))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void anEntryEscapingTheTargetIsRefused(boolean withXz) throws IOException {
		byte[] archive = txz((tar) -> file(tar, "../outside", "x", 0644));
		Path into = this.temp.resolve("into");
		Files.createDirectories(into);
		assertThatIOException()
			.isThrownBy(() -> PostgresBinaries.extractTxz(new ByteArrayInputStream(archive), into, decoder(withXz)))
			.withMessageContaining("escapes the target directory");
		assertThat(this.temp.resolve("outside")).doesNotExist();
	}

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void aCorruptStreamFailsTheExtraction(boolean withXz) throws IOException {
		byte[] archive = txz((tar) -> file(tar, "bin/postgres", "x".repeat(100_000), 0755));
		byte[] cut = Arrays.copyOf(archive, archive.length / 2);
		Path into = this.temp.resolve("into");
		Files.createDirectories(into);
		assertThatIOException()
			.isThrownBy(() -> PostgresBinaries.extractTxz(new ByteArrayInputStream(cut), into, decoder(withXz)))
			.satisfies((ex) -> {
				if (withXz) {
					assertThat(ex).hasMessageContaining("xz -dc failed");
				}
			});
	}

	private static Optional<Path> decoder(boolean withXz) {
		if (withXz) {
			assumeTrue(PostgresBinaries.XZ.isPresent(), "xz is not on the path");
			return PostgresBinaries.XZ;
		}
		return Optional.empty();
	}

	private static void file(TarArchiveOutputStream tar, String name, String content, int mode) throws IOException {
		byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
		TarArchiveEntry entry = new TarArchiveEntry(name, true);
		entry.setSize(bytes.length);
		entry.setMode(mode);
		tar.putArchiveEntry(entry);
		tar.write(bytes);
		tar.closeArchiveEntry();
	}

	private static byte[] txz(Entries entries) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZCompressorOutputStream(bytes))) {
			entries.write(tar);
		}
		return bytes.toByteArray();
	}

	@FunctionalInterface
	private interface Entries {

		void write(TarArchiveOutputStream tar) throws IOException;

	}

	@Test
	void aFileSystemWithoutTheSpaceTheTestsNeedIsRefusedByName() {
		Path root = this.temp.resolve("installs");
		PostgresBinaries.requireSpace(root, 1);
		assertThat(root).isDirectory();
		assertThatIllegalStateException().isThrownBy(() -> PostgresBinaries.requireSpace(root, Long.MAX_VALUE))
			.withMessageStartingWith(root + " has ")
			.withMessageContaining("MiB free")
			.withMessageEndingWith("give them another directory (the build: -Dpgext.test.tmpdir=<dir>)");
	}

}
