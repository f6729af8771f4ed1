package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.Variant;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.bundle.archive.FileEntry;
import dev.pgext.model.elf.ElfFile;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Builds a chroot bundle from the real PG 15 and PG 17 binaries jars once, and checks its layout,
 * manifest and reproducibility.
 */
class BundleBuildIntegrationTests {

	static final long EPOCH = TestBundles.EPOCH;

	@TempDir
	static Path temp;

	static BundleBuilder.Result bundle;

	static Path extracted;

	static BundleBuilder builder() {
		return TestBundles.builder();
	}

	@BeforeAll
	static void buildOnce() throws IOException {
		bundle = TestBundles.twoMajors();
		extracted = TestBundles.twoMajorsTree(temp.resolve("extracted"));
	}

	@Test
	void theBundleIsNamedByItsDigest() throws IOException {
		assertThat(bundle.file().getFileName().toString()).isEqualTo("pg-bundle-" + bundle.sha256().hex() + ".tar.zst");
		assertThat(Sha256Digest.of(bundle.file())).isEqualTo(bundle.sha256());
		assertThat(Files.size(bundle.file())).isEqualTo(bundle.size());
	}

	@Test
	void theLayoutHasTheLauncherBothMajorsTheLoaderAShellAndTheChrootEssentials() {
		assertThat(extracted.resolve("LAUNCHER")).isExecutable();
		for (String major : List.of("15", "17")) {
			assertThat(extracted.resolve("v" + major + "/bin/initdb")).isExecutable();
			assertThat(extracted.resolve("v" + major + "/bin/postgres")).isExecutable();
			assertThat(extracted.resolve("v" + major + "/lib/postgresql/plpgsql.so")).isRegularFile();
			assertThat(extracted.resolve("v" + major + "/share/postgresql/postgres.bki")).isRegularFile();
		}
		assertThat(extracted.resolve("lib64/ld-linux-x86-64.so.2")).isRegularFile();
		assertThat(extracted.resolve("bin/sh")).isRegularFile();
		assertThat(extracted.resolve("etc/passwd")).content().contains("nobody:x:65534:65534:");
		assertThat(extracted.resolve("tmp")).isDirectory();
		assertThat(extracted.resolve("inout")).isDirectory();
		assertThat(extracted.resolve("v15/lib/libpq.a")).doesNotExist();
	}

	@Test
	void theManifestRecordsVersionsIcuGlibcInputsAndEveryFile() throws IOException {
		BundleManifest manifest = BundleJson.readManifest(extracted.resolve(BundleManifest.PATH));
		assertThat(manifest).isEqualTo(bundle.manifest());
		assertThat(manifest.variant()).isEqualTo(Variant.CHROOT);
		assertThat(manifest.sourceDateEpoch()).isEqualTo(EPOCH);
		assertThat(manifest.pgVersions()).containsEntry("15", "15.19").containsEntry("17", "17.11");
		assertThat(manifest.postgres().get("15").versionOutput()).isEqualTo("postgres (PostgreSQL) 15.19");
		assertThat(manifest.postgres().get("15").icuVersion()).isEqualTo("60.2");
		assertThat(manifest.postgres().get("15").input().kind()).isEqualTo("jar");
		assertThat(manifest.postgres().get("15").input().sha256())
			.isEqualTo(Sha256Digest.of(PostgresBinaries.locate(new PgMajor(15)).jar()));
		assertThat(manifest.glibcVersion()).matches("2\\.\\d+");
		assertThat(manifest.loader()).isEqualTo("/lib64/ld-linux-x86-64.so.2");
		assertThat(manifest.builder().version()).isNotBlank();
		assertThat(manifest.files()).extracting(FileEntry::path).isSorted().contains("LAUNCHER", "v17/bin/postgres");
		assertThat(BundleTree.problems(extracted, manifest)).isEmpty();
	}

	@Test
	void theLauncherRefusesWhatTheBundleDoesNotHold() throws Exception {
		assertThat(launch("99", "initdb")).contains("exit 64").contains("holds no Postgres 99 (it holds 15 17)");
		assertThat(launch("15", "../../bin/sh")).contains("exit 64").contains("is not a program name");
		assertThat(launch("15", "psql")).contains("exit 64").contains("Postgres 15 has no program psql");
		assertThat(launch("15")).contains("exit 64").contains("usage: /LAUNCHER VERSION PG_BINARY");
	}

	private static String launch(String... args) throws Exception {
		List<String> command = new java.util.ArrayList<>(List.of("/bin/sh", extracted.resolve("LAUNCHER").toString()));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		return "exit " + process.waitFor() + ": " + output;
	}

	@Test
	void theLibraryClosureIncludesTheHostLibrariesThePostgresBinariesNeed() {
		assertThat(extracted.resolve("lib/x86_64-linux-gnu/libc.so.6")).isRegularFile();
		assertThat(extracted.resolve("lib/x86_64-linux-gnu/libstdc++.so.6")).isRegularFile();
		assertThat(extracted.resolve("v15/lib/libicuuc.so.60")).exists();
	}

	@Test
	void buildingTwiceFromTheSameInputsGivesTheSameBytes() throws IOException {
		BundleBuilder.Result again = builder().build(new BundleBuilder.Request(
				List.of(PostgresBinaries.locate(new PgMajor(17)).jar(), PostgresBinaries.locate(new PgMajor(15)).jar()),
				Variant.CHROOT, temp.resolve("again"), EPOCH));
		assertThat(again.sha256()).isEqualTo(bundle.sha256());
		assertThat(Files.mismatch(again.file(), bundle.file())).isEqualTo(-1L);
	}

	@Test
	void anExtractedDirectoryIsAnInputToo() throws IOException {
		BundleBuilder.Result fromDirectory = builder().build(new BundleBuilder.Request(
				List.of(PostgresInstalls.shared(15).root()), Variant.CHROOT, temp.resolve("dir"), EPOCH));
		assertThat(fromDirectory.manifest().postgres().get("15").input().kind()).isEqualTo("directory");
		assertThat(fromDirectory.manifest().pgVersions()).containsOnlyKeys("15");
	}

	@Test
	void theStaticVariantRejectsDynamicallyLinkedPostgres() {
		assertThatExceptionOfType(BuildException.class)
			.isThrownBy(() -> builder().build(new BundleBuilder.Request(List.of(PostgresInstalls.shared(15).root()),
					Variant.STATIC, temp.resolve("static"), EPOCH)))
			.withMessageContaining("static variant needs statically linked programs")
			.withMessageContaining("v15/bin/postgres")
			.withMessageContaining("libxml2.so.2");
	}

	@Test
	void theStaticVariantAcceptsStaticallyLinkedPrograms() throws IOException {
		Path ldconfig = Path.of("/sbin/ldconfig");
		assumeThat(ElfFile.isElf(ldconfig) && ElfFile.read(ldconfig).isStaticallyLinked())
			.as("a static /sbin/ldconfig (Debian) to stand in for a static initdb")
			.isTrue();
		Path install = temp.resolve("static-install");
		Files.createDirectories(install.resolve("bin"));
		Files.createDirectories(install.resolve("share/postgresql"));
		Files.copy(ldconfig, install.resolve("bin/initdb"));
		Files.writeString(install.resolve("bin/postgres"), "#!/bin/sh\necho 'postgres (PostgreSQL) 16.15'\n");
		Files.setPosixFilePermissions(install.resolve("bin/postgres"), PosixFilePermissions.fromString("rwxr-xr-x"));

		BundleBuilder.Result result = builder()
			.build(new BundleBuilder.Request(List.of(install), Variant.STATIC, temp.resolve("static-ok"), EPOCH));

		assertThat(result.manifest().variant()).isEqualTo(Variant.STATIC);
		assertThat(result.manifest().pgVersions()).containsExactly(entry("16", "16.15"));
		assertThat(result.manifest().files()).extracting(FileEntry::path)
			.contains("LAUNCHER", "bin/sh", "v16/bin/initdb", "v16/bin/postgres", "etc/passwd");
	}

	@Test
	void twoInputsOfOneMajorAreRejected() {
		assertThatExceptionOfType(BuildException.class)
			.isThrownBy(() -> builder().build(new BundleBuilder.Request(
					List.of(PostgresInstalls.shared(15).root(), PostgresBinaries.locate(new PgMajor(15)).jar()),
					Variant.CHROOT, temp.resolve("twice"), EPOCH)))
			.withMessageContaining("two inputs for PG 15");
	}

}
