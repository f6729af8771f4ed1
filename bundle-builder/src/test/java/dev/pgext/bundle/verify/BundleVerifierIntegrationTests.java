package dev.pgext.bundle.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.build.BundleBuilder;
import dev.pgext.bundle.build.TestBundles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link BundleVerifier}: the real PG 15 + PG 17 bundle runs {@code initdb} in a chroot,
 * broken copies of it are refused with the file at fault named.
 */
class BundleVerifierIntegrationTests {

	@TempDir
	Path temp;

	private final BundleVerifier verifier = new BundleVerifier(Duration.ofMinutes(2));

	private final BundleBuilder.Result bundle = TestBundles.twoMajors();

	@Test
	void initdbOfEveryMajorWorksInAChrootOfTheBundle() throws IOException {
		BundleVerifier.Report report = this.verifier.verify(this.bundle.file(), this.temp);
		assertThat(report.sha256()).isEqualTo(this.bundle.sha256());
		assertThat(report.manifest().pgVersions()).containsEntry("15", "15.19").containsEntry("17", "17.11");
		try (var left = Files.list(this.temp)) {
			assertThat(left).as("the work directory is removed").isEmpty();
		}
	}

	@Test
	void aTamperedFileIsNamed() throws IOException {
		Path tree = TestBundles.twoMajorsTree(this.temp.resolve("tree"));
		Path bki = tree.resolve("v15/share/postgresql/postgres.bki");
		TestBundles.replace(bki, Files.readString(bki) + "\n-- tampered\n");
		Path tampered = TestBundles.repack(tree, this.temp.resolve("tampered.tar.zst"), (m) -> m);
		assertThatExceptionOfType(VerificationException.class)
			.isThrownBy(() -> this.verifier.verify(tampered, this.temp.resolve("work")))
			.satisfies((ex) -> assertThat(ex.problems())
				.containsExactly("content differs: v15/share/postgresql/postgres.bki has sha256 "
						+ dev.pgext.model.Sha256Digest.of(bki) + ", expected "
						+ this.bundle.manifest()
							.files()
							.stream()
							.filter((f) -> f.path().equals("v15/share/postgresql/postgres.bki"))
							.findFirst()
							.orElseThrow()
							.sha256()));
	}

	@Test
	void aDeletedLibraryIsNamed() throws IOException {
		Path tree = TestBundles.twoMajorsTree(this.temp.resolve("tree"));
		Files.delete(tree.resolve("lib/x86_64-linux-gnu/libstdc++.so.6"));
		Path broken = TestBundles.repack(tree, this.temp.resolve("broken.tar.zst"), (m) -> m);
		assertThatExceptionOfType(VerificationException.class)
			.isThrownBy(() -> this.verifier.verify(broken, this.temp.resolve("work")))
			.satisfies((ex) -> assertThat(ex.problems())
				.containsExactly("missing: lib/x86_64-linux-gnu/libstdc++.so.6"));
	}

	@Test
	void aLibraryMissingFromBothTreeAndManifestIsNamedByTheChrootRun() throws IOException {
		Path tree = TestBundles.twoMajorsTree(this.temp.resolve("tree"));
		String library = "lib/x86_64-linux-gnu/libstdc++.so.6";
		Files.delete(tree.resolve(library));
		Path incomplete = TestBundles.repack(tree, this.temp.resolve("incomplete.tar.zst"),
				(m) -> new BundleManifest(m.format(), m.variant(), m.builder(), m.sourceDateEpoch(), m.loader(),
						m.glibcVersion(), m.postgres(), m.unresolved(),
						m.files().stream().filter((f) -> !f.path().equals(library)).toList()));
		assertThatExceptionOfType(VerificationException.class)
			.isThrownBy(() -> this.verifier.verify(incomplete, this.temp.resolve("work")))
			.withMessageContaining("does not run in a chroot")
			.satisfies((ex) -> assertThat(ex.problems()).hasSize(2)
				.allSatisfy((problem) -> assertThat(problem).contains("lacks the shared library libstdc++.so.6")));
	}

}
