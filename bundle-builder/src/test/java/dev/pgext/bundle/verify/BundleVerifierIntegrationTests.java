package dev.pgext.bundle.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.bundle.archive.BundleFormatException;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.CraftedArchives;
import dev.pgext.bundle.archive.FileEntry;
import dev.pgext.bundle.build.BundleBuilder;
import dev.pgext.bundle.build.TestBundles;
import dev.pgext.model.Sha256Digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link BundleVerifier}: the real PG 15 + PG 17 bundle and the real PG 14
 * bundle run {@code initdb} in a chroot, broken copies of them are refused with the file
 * at fault named. A break that needs no second major (a link, a changed or deleted file)
 * is made in the PG 14 bundle, half the tree to pack, extract and check.
 */
class BundleVerifierIntegrationTests {

	@TempDir
	Path temp;

	private final BundleVerifier verifier = new BundleVerifier(Duration.ofMinutes(2));

	private final BundleBuilder.Result bundle = TestBundles.twoMajors();

	@Test
	void initdbOfEveryMajorWorksInAChrootOfTheBundle() throws IOException {
		BundleVerifier.Report report = this.verifier.verify(this.bundle.file(), this.bundle.sha256(), this.temp);
		assertThat(report.sha256()).isEqualTo(this.bundle.sha256());
		assertThat(report.manifest().pgVersions()).containsEntry("15", "15.19").containsEntry("17", "17.11");
		assertThat(report.majors()).containsOnlyKeys("15", "17");
		report.majors().forEach((major, run) -> {
			assertThat(run.initdbOutput()).as("initdb of PG " + major)
				.contains("performing post-bootstrap initialization ... ok")
				.doesNotContain("WARNING")
				.doesNotContain("locale: not found")
				.doesNotContain("no usable system locales");
			assertThat(run.libcCollations()).as("libc collations of PG " + major).contains("C", "POSIX", "C.utf8");
			assertThat(run.serverVersion()).startsWith("PostgreSQL " + report.manifest().pgVersions().get(major) + " ");
			assertThat(run.serverLog()).as("log of PG " + major)
				.contains("database system is ready to accept connections")
				.contains("database system is shut down")
				.doesNotContain("WARNING")
				.doesNotContain("FATAL");
		});
		try (var left = Files.list(this.temp)) {
			assertThat(left).as("the work directory is removed").isEmpty();
		}
	}

	@Test
	void whatAKilledVerificationLeftRunningIsStoppedAndItsFilesRemovedByTheNext() throws Exception {
		Process gone = new ProcessBuilder("true").start();
		gone.waitFor();
		String owner = "pg-bundle-verify-" + gone.pid() + "-";
		Path left = TestBundles.prepareChroot(TestBundles.pg14Tree(this.temp.resolve(owner + "1")));
		Path leftLog = Files.writeString(this.temp.resolve(owner + "14-2.log"), "a killed run's log");
		Path someoneElses = Files
			.createDirectory(this.temp.resolve("pg-bundle-verify-" + ProcessHandle.current().pid() + "-3"));
		// as the killed JVM's server was: a process of uid 65534 in the chroot, waiting
		Process orphan = new ProcessBuilder("chroot", "--userspec=65534:65534", left.toString(), "/bin/sh", "-c",
				"read never")
			.start();
		try {
			Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.until(() -> left.equals(Files.readSymbolicLink(Path.of("/proc/" + orphan.pid() + "/root"))));

			BundleVerifier.removeInterruptedRuns(this.temp);

			assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).as("the process left in the chroot is stopped").isTrue();
			assertThat(left).doesNotExist();
			assertThat(leftLog).doesNotExist();
			assertThat(someoneElses).as("a live JVM's verification is left alone").isDirectory();
		}
		finally {
			orphan.destroyForcibly();
		}
	}

	@Test
	void thePg14ServerInTheChrootResolvesLocalhostAndKeepsItsStatisticsCollectorAndAutovacuum() throws IOException {
		BundleBuilder.Result pg14 = TestBundles.pg14();
		BundleVerifier.Report report = this.verifier.verify(pg14.file(), pg14.sha256(), this.temp);
		BundleVerifier.MajorReport run = report.majors().get("14");
		assertThat(run.serverVersion()).startsWith("PostgreSQL 14.");
		assertThat(run.serverLog()).contains("database system is ready to accept connections")
			.doesNotContain("could not resolve \"localhost\"")
			.doesNotContain("disabling statistics collector")
			.doesNotContain("autovacuum not started");
		assertThat(run.libcCollations()).contains("C.utf8");
	}

	/**
	 * One broken copy of the PG 14 bundle for both checks, to start its server once:
	 * without {@code etc/hosts} the server warns that autovacuum is off, without
	 * {@code locale} initdb warns that it found no locales.
	 */
	@Test
	void withoutEtcHostsOrTheLocaleProgramVerifyFailsNamingEachWarningLine() throws IOException {
		Path tree = TestBundles.pg14Tree(this.temp.resolve("tree"));
		List<String> removed = List.of("etc/hosts", "usr/bin/locale");
		for (String path : removed) {
			Files.delete(tree.resolve(path));
		}
		Path broken = TestBundles.repack(tree, this.temp.resolve("broken.tar.zst"),
				(m) -> new BundleManifest(m.format(), m.variant(), m.builder(), m.sourceDateEpoch(), m.loader(),
						m.glibcVersion(), m.postgres(), m.unresolved(), m.hostFiles(), m.sbom(),
						m.files().stream().filter((f) -> !removed.contains(f.path())).toList()));
		assertThatExceptionOfType(VerificationException.class)
			.isThrownBy(() -> this.verifier.verify(broken, Sha256Digest.of(broken), this.temp.resolve("work")))
			.withMessageContaining("does not run in a chroot")
			.satisfies((ex) -> assertThat(ex.problems())
				.anySatisfy((problem) -> assertThat(problem).startsWith("PG 14: the server logged: ")
					.contains("WARNING:  autovacuum not started because of misconfiguration"))
				.anySatisfy((problem) -> assertThat(problem).startsWith("PG 14: initdb printed: ")
					.endsWith("sh: 1: locale: not found"))
				.anySatisfy((problem) -> assertThat(problem).startsWith("PG 14: initdb printed: ")
					.endsWith("WARNING:  no usable system locales were found")));
	}

	@Test
	void anInoutThatIsALinkIsNotHandedToTheChrootUser() throws IOException {
		Path tree = TestBundles.pg14Tree(this.temp.resolve("tree"));
		Files.delete(tree.resolve("inout"));
		Files.createSymbolicLink(tree.resolve("inout"), Path.of("v14/bin"));
		Path linked = TestBundles.repack(tree, this.temp.resolve("linked.tar.zst"),
				(m) -> new BundleManifest(m.format(), m.variant(), m.builder(), m.sourceDateEpoch(), m.loader(),
						m.glibcVersion(), m.postgres(), m.unresolved(), m.hostFiles(), m.sbom(),
						m.files()
							.stream()
							.map((f) -> f.path().equals("inout") ? FileEntry.symlink("inout", "v14/bin") : f)
							.toList()));
		assertThatExceptionOfType(VerificationException.class)
			.isThrownBy(() -> this.verifier.verify(linked, Sha256Digest.of(linked), this.temp.resolve("work")))
			.satisfies((ex) -> assertThat(ex.problems()).containsExactly("/inout is not a directory of the bundle"));
	}

	@Test
	void aHostileArchiveIsRefusedBeforeAnythingRunsAndTouchesNothingOutside() throws IOException {
		CraftedArchives.Sentinel outside = CraftedArchives.Sentinel.create(this.temp.resolve("outside"));
		Path work = Files.createDirectories(this.temp.resolve("work"));
		Path hostile = CraftedArchives.withManifest()
			.linkLoopTo(outside.dir())
			.writeTo(this.temp.resolve("hostile.tar.zst"));

		assertThatExceptionOfType(BundleFormatException.class)
			.isThrownBy(() -> this.verifier.verify(hostile, Sha256Digest.of(hostile), work))
			.withMessageContaining("lies under the symbolic link p of the archive");

		assertThat(outside.content()).as("nothing created outside").containsExactly("kept");
		assertThat(outside.currentMode()).as("the mode of the directory outside").isEqualTo(outside.mode());
		try (var left = Files.list(work)) {
			assertThat(left).as("nothing left in the work directory").isEmpty();
		}
	}

	@Test
	void aTamperedFileIsNamed() throws IOException {
		Path tree = TestBundles.pg14Tree(this.temp.resolve("tree"));
		Path bki = tree.resolve("v14/share/postgresql/postgres.bki");
		TestBundles.replace(bki, Files.readString(bki) + "\n-- tampered\n");
		Path tampered = TestBundles.repack(tree, this.temp.resolve("tampered.tar.zst"), (m) -> m);
		assertThatExceptionOfType(VerificationException.class)
			.isThrownBy(() -> this.verifier.verify(tampered, Sha256Digest.of(tampered), this.temp.resolve("work")))
			.satisfies((ex) -> assertThat(ex.problems())
				.containsExactly("content differs: v14/share/postgresql/postgres.bki has sha256 "
						+ dev.pgext.model.Sha256Digest.of(bki) + ", expected "
						+ TestBundles.pg14()
							.manifest()
							.files()
							.stream()
							.filter((f) -> f.path().equals("v14/share/postgresql/postgres.bki"))
							.findFirst()
							.orElseThrow()
							.sha256()));
	}

	@Test
	void aDeletedLibraryIsNamed() throws IOException {
		Path tree = TestBundles.pg14Tree(this.temp.resolve("tree"));
		Files.delete(tree.resolve("lib/x86_64-linux-gnu/libstdc++.so.6"));
		Path broken = TestBundles.repack(tree, this.temp.resolve("broken.tar.zst"), (m) -> m);
		assertThatExceptionOfType(VerificationException.class)
			.isThrownBy(() -> this.verifier.verify(broken, Sha256Digest.of(broken), this.temp.resolve("work")))
			.satisfies(
					(ex) -> assertThat(ex.problems()).containsExactly("missing: lib/x86_64-linux-gnu/libstdc++.so.6"));
	}

	@Test
	void aLibraryMissingFromBothTreeAndManifestIsNamedByTheChrootRun() throws IOException {
		Path tree = TestBundles.twoMajorsTree(this.temp.resolve("tree"));
		String library = "lib/x86_64-linux-gnu/libstdc++.so.6";
		Files.delete(tree.resolve(library));
		Path incomplete = TestBundles.repack(tree, this.temp.resolve("incomplete.tar.zst"),
				(m) -> new BundleManifest(m.format(), m.variant(), m.builder(), m.sourceDateEpoch(), m.loader(),
						m.glibcVersion(), m.postgres(), m.unresolved(), m.hostFiles(), m.sbom(),
						m.files().stream().filter((f) -> !f.path().equals(library)).toList()));
		assertThatExceptionOfType(VerificationException.class)
			.isThrownBy(() -> this.verifier.verify(incomplete, Sha256Digest.of(incomplete), this.temp.resolve("work")))
			.withMessageContaining("does not run in a chroot")
			.satisfies((ex) -> assertThat(ex.problems()).hasSize(2)
				.allSatisfy((problem) -> assertThat(problem).contains("lacks the shared library libstdc++.so.6")));
	}

}
