package dev.pgext.cli.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.model.PgMajor;

import static org.assertj.core.api.Assertions.assertThat;

/** The registry's checks, run locally on an install tree before anything is uploaded. */
class LocalChecksTests {

	private static final PgMajor PG15 = PgMajor.of(15);

	@TempDir
	Path root;

	@Test
	void aPureSqlExtensionWithAnInstallScriptPasses() throws IOException {
		write("share/extension/greet.control", "default_version = '1.0'\nrelocatable = true\n");
		write("share/extension/greet--1.0.sql",
				"CREATE FUNCTION greet() RETURNS text LANGUAGE sql AS $$SELECT 'hi'$$;");

		List<LocalChecks.Check> checks = check(new Metadata("greet", "1.0.0", Map.of()));

		assertThat(LocalChecks.failed(checks)).as(checks.toString()).isFalse();
		assertThat(checks).extracting(LocalChecks.Check::message).contains("greet 1.0 is installable");
	}

	@Test
	void aVersionWithoutInstallScriptOrUpdatePathFails() throws IOException {
		write("share/extension/greet.control", "default_version = '2.0'\n");
		write("share/extension/greet--1.0.sql", "SELECT 1;");

		List<LocalChecks.Check> checks = check(new Metadata("greet", "2.0.0", Map.of()));

		assertThat(failures(checks)).containsExactly(
				"greet version 2.0 has no install script (greet--2.0.sql) and no update path to it from one");
	}

	@Test
	void anUpdatePathFromAnInstallScriptMakesAVersionInstallable() throws IOException {
		write("share/extension/greet.control", "default_version = '1.2'\n");
		write("share/extension/greet--1.0.sql", "SELECT 1;");
		write("share/extension/greet--1.0--1.1.sql", "SELECT 1;");
		write("share/extension/greet--1.1--1.2.sql", "SELECT 1;");

		assertThat(failures(check(new Metadata("greet", "1.2.0", Map.of())))).isEmpty();
	}

	@Test
	void aLibraryTheArtifactDoesNotShipFails() throws IOException {
		write("share/extension/greet.control", "default_version = '1.0'\nmodule_pathname = '$libdir/greet'\n");
		write("share/extension/greet--1.0.sql",
				"CREATE FUNCTION greet() RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C;");

		assertThat(failures(check(new Metadata("greet", "1.0.0", Map.of())))).singleElement()
			.asString()
			.contains("loads library 'greet', which is neither in lib/");
	}

	@Test
	void aLibraryThatIsNotAnElfSharedObjectFails() throws IOException {
		write("lib/greet.so", "#!/bin/sh\necho not a library\n");

		assertThat(failures(check(new Metadata("greet", "1.0.0", Map.of())))).singleElement()
			.asString()
			.startsWith("lib/greet.so is not an ELF shared object");
	}

	@Test
	void aControlFileTheServerWouldRefuseFails() throws IOException {
		write("share/extension/greet.control", "default_version = '1.0'\nno_such_parameter = true\n");
		write("share/extension/greet--1.0.sql", "SELECT 1;");

		assertThat(failures(check(new Metadata("greet", "1.0.0", Map.of())))).singleElement()
			.asString()
			.contains("no_such_parameter");
	}

	@Test
	void releaseVersionsFollowTheRegistrysSemanticVersionRule() {
		assertThat(Metadata.normalizedVersion("1.0")).isEqualTo("1.0.0");
		assertThat(Metadata.normalizedVersion("v1.2.3")).isEqualTo("1.2.3");
		assertThat(Metadata.normalizedVersion("1.0-beta")).isEqualTo("1.0.0-beta");
		assertThat(Metadata.normalizedVersion("01.02.03")).isNull();
		assertThat(Metadata.normalizedVersion("1.0.0.1")).isNull();
		assertThat(failures(LocalChecks.metadata(new Metadata("greet", "1.0.0_1", Map.of())))).singleElement()
			.asString()
			.contains("is not a semantic version");
	}

	@Test
	void aMetaJsonThatBreaksTheMetaSpecFailsWhereTheRegistryWould() throws IOException {
		Path meta = write("META.json",
				"""
						{"name": "greet", "version": "1.0.0", "license": "PostgreSQL",
						 "maintainers": [{"name": "Jane", "email": "jane@example.com"}], "contents": {"extensions": {"greet": {"control": "greet.control"}}},
						 "meta-spec": {"version": "2.0.0"}}
						""");

		assertThat(failures(LocalChecks.metadata(Metadata.read(meta)))).singleElement()
			.satisfies(
					(failure) -> assertThat(failure).contains("META.json (Meta Spec v2) at ''").contains("abstract"));
	}

	@Test
	void aMetaJsonThatFollowsTheMetaSpecPasses() throws IOException {
		Path meta = write("META.json",
				"""
						{"name": "greet", "version": "1.0.0", "abstract": "Greets", "license": "PostgreSQL",
						 "maintainers": [{"name": "Jane", "email": "jane@example.com"}], "contents": {"extensions": {"greet": {"control": "greet.control"}}},
						 "meta-spec": {"version": "2.0.0"}}
						""");

		List<LocalChecks.Check> checks = LocalChecks.metadata(Metadata.read(meta));

		assertThat(failures(checks)).isEmpty();
		assertThat(checks).map(Object::toString)
			.anySatisfy((line) -> assertThat(line).contains("follows the PGXN Meta Spec v2"));
	}

	@Test
	void aMetaJsonLargerThanTheRegistryTakesFails() throws IOException {
		Path meta = write("META.json", "{\"name\": \"greet\", \"version\": \"1.0.0\", \"abstract\": \"Greets\", "
				+ "\"description\": \"" + "x".repeat((int) LocalChecks.MAX_METADATA_BYTES) + "\"}");

		assertThat(failures(LocalChecks.metadata(Metadata.read(meta))))
			.anySatisfy((failure) -> assertThat(failure).contains("the registry accepts at most 1048576"));
	}

	private List<LocalChecks.Check> check(Metadata metadata) {
		List<LocalChecks.Check> checks = LocalChecks.metadata(metadata);
		checks = new java.util.ArrayList<>(checks);
		checks.addAll(LocalChecks.artifact(metadata, PG15, InstallTree.of(this.root), Platform.LINUX_X86_64));
		return checks;
	}

	private static List<String> failures(List<LocalChecks.Check> checks) {
		return checks.stream()
			.filter((check) -> check.level() == LocalChecks.Level.FAIL)
			.map(LocalChecks.Check::message)
			.toList();
	}

	private Path write(String path, String content) throws IOException {
		Path file = this.root.resolve(path);
		Files.createDirectories(file.getParent());
		return Files.writeString(file, content);
	}

}
