package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.Variant;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.bundle.archive.FileEntry;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.elf.ElfFile;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Builds a chroot bundle from the real PG 15 and PG 17 binaries jars once, and checks its
 * layout, manifest and reproducibility.
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
	void theLauncherStartsProgramsWithOnlyTheDocumentedEnvironment() throws Exception {
		Path tree = TestBundles.prepareChroot(TestBundles.twoMajorsTree(temp.resolve("environment")));
		// a program of the major that prints the environment it was started with
		Files.copy(tree.resolve("usr/bin/env"), tree.resolve("v15/bin/printenv"));
		// the caller's environment is set inside the chroot (by the bundle's env), so
		// that the
		// host's chroot program does not run with the LD_PRELOAD itself
		ProcessBuilder builder = new ProcessBuilder("chroot", "--userspec=65534:65534", tree.toString(), "/usr/bin/env",
				"LD_PRELOAD=/nonexistent.so", "PG_COLOR=always", "FOO=bar", "PWD=/somewhere", "LANG=de_DE.UTF-8",
				"PGHOST=elsewhere", "PGDATA=/inout/15", "/LAUNCHER", "15", "printenv");
		builder.environment().clear();
		builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
		Process process = builder.start();
		String stdout = new String(process.getInputStream().readAllBytes());
		String stderr = new String(process.getErrorStream().readAllBytes());
		assertThat(process.waitFor()).as(stderr).isZero();

		assertThat(stdout.lines().sorted().toList()).containsExactly("GCONV_PATH=/usr/lib/x86_64-linux-gnu/gconv",
				"HOME=/nonexistent", "LC_ALL=C", "LD_LIBRARY_PATH=/v15/lib:/lib/x86_64-linux-gnu",
				"PATH=/v15/bin:/usr/bin:/bin", "PGDATA=/inout/15", "TZ=UTC");
		// the LAUNCHER's own shell is started by the caller, with the caller's
		// environment: the
		// loader warns once, for that shell, never for env or the program
		assertThat(stderr.lines().filter((line) -> line.contains("/nonexistent.so"))).hasSize(1);
	}

	@Test
	void everyFileFromTheHostIsRecordedWithItsPackageAndVersion() throws Exception {
		BundleManifest manifest = bundle.manifest();
		Map<String, BundleManifest.HostFile> hostFiles = manifest.hostFiles()
			.stream()
			.collect(java.util.stream.Collectors.toMap(BundleManifest.HostFile::path, (f) -> f));
		assertThat(manifest.hostFiles()).extracting(BundleManifest.HostFile::path).isSorted();
		assertThat(hostFiles).containsKeys("lib64/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/libc.so.6",
				"lib/x86_64-linux-gnu/libstdc++.so.6", "bin/sh", "usr/bin/env", "usr/bin/locale",
				"usr/lib/locale/C.utf8/LC_CTYPE");
		// every file outside the majors' trees that the build did not write itself came
		// from the host
		List<String> written = List.of("LAUNCHER", "etc/passwd", "etc/group", "etc/nsswitch.conf", "etc/hosts",
				BundleManifest.SBOM_PATH);
		assertThat(manifest.files()).filteredOn((f) -> f.type() == FileEntry.Type.FILE)
			.extracting(FileEntry::path)
			.filteredOn((path) -> !path.startsWith("v") && !written.contains(path))
			.allSatisfy((path) -> assertThat(hostFiles).containsKey(path));
		assumeThat(Path.of("/var/lib/dpkg/status")).as("a dpkg host").exists();
		BundleManifest.HostFile libc = hostFiles.get("lib/x86_64-linux-gnu/libc.so.6");
		assertThat(libc.packageName()).isEqualTo("libc6:amd64");
		assertThat(libc.version()).isEqualTo(dpkgVersion("libc6:amd64"));
		assertThat(hostFiles.get("usr/bin/env").packageName()).isEqualTo("coreutils");
		assertThat(hostFiles.get("usr/bin/env").version()).isEqualTo(dpkgVersion("coreutils"));
		assertThat(hostFiles.get("lib/x86_64-linux-gnu/libstdc++.so.6").packageName()).startsWith("libstdc++6");
		assertThat(manifest.hostFiles())
			.allSatisfy((file) -> assertThat(file.packageName()).isNotEqualTo("unpackaged"));
	}

	private static String dpkgVersion(String pkg) throws Exception {
		Process process = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", pkg).start();
		String version = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).isZero();
		return version;
	}

	@Test
	void aLibraryOnlyAnOptionalModuleNeedsIsNotTakenFromTheHost() {
		// pltcl.so needs libtcl8.6.so: the inputs do not carry it, so it is unresolved
		// like plperl's libperl,
		// whether or not the build host happens to have Tcl
		assertThat(bundle.manifest().unresolved()).containsEntry("v15/lib/postgresql/pltcl.so", List.of("libtcl8.6.so"))
			.containsEntry("v15/lib/postgresql/plperl.so", List.of("libperl.so.5.26"));
		assertThat(bundle.manifest().files()).extracting(FileEntry::path).noneMatch((path) -> path.contains("libtcl"));
	}

	@Test
	void glibcsFilesModuleIsBundledOnlyWhenGlibcDoesNotBuildItIn() {
		boolean builtIn = !BundleBuilder.versionBefore(bundle.manifest().glibcVersion(), 2, 34);
		assertThat(bundle.manifest().files()).extracting(FileEntry::path)
			.as("glibc %s", bundle.manifest().glibcVersion())
			.matches((paths) -> paths.contains("lib/x86_64-linux-gnu/libnss_files.so.2") != builtIn);
		assertThat(BundleBuilder.versionBefore("2.28", 2, 34)).isTrue();
		assertThat(BundleBuilder.versionBefore("2.34", 2, 34)).isFalse();
		assertThat(BundleBuilder.versionBefore("3.0", 2, 34)).isFalse();
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

	/**
	 * Two installation directories of PG 15: the major comes from each input's
	 * {@code postgres --version} whatever its kind, and a binaries jar would be
	 * xz-decoded only to be refused.
	 */
	@Test
	void twoInputsOfOneMajorAreRejected() {
		Path other = PostgresInstalls.copy(15, temp.resolve("pg15-copy")).root();
		assertThatExceptionOfType(BuildException.class)
			.isThrownBy(
					() -> builder().build(new BundleBuilder.Request(List.of(PostgresInstalls.shared(15).root(), other),
							Variant.CHROOT, temp.resolve("twice"), EPOCH)))
			.withMessageContaining("two inputs for PG 15")
			.withMessageContaining(other.toString());
	}

}
