package dev.pgext.registry.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.registry.problem.RegistryException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What the planner derives from an artifact with several extensions: each gets its own
 * scripts and the libraries it loads; a library nobody loads and other share files go
 * with every extension.
 */
class ReleasePlannerTests {

	@TempDir
	Path directory;

	private final Map<String, ArtifactFile> files = new LinkedHashMap<>();

	@Test
	void librariesGoToTheExtensionsThatLoadThem() {
		file("share/extension/geo.control", "default_version = '1.0'\nmodule_pathname = '$libdir/geo'\n");
		file("share/extension/geo--1.0.sql", "CREATE FUNCTION f() RETURNS int AS 'MODULE_PATHNAME' LANGUAGE C;");
		file("share/extension/geo_extra.control", "default_version = '1.0'\nrequires = 'geo'\n");
		file("share/extension/geo_extra--1.0.sql",
				"CREATE FUNCTION g() RETURNS int AS '$libdir/geo_extra' LANGUAGE C;");
		file("lib/geo.so", "ELF geo");
		file("lib/geo_extra.so", "ELF extra");
		file("lib/geo_hook.so", "ELF hook");
		file("share/geo/projections.dat", "data");

		List<PlannedExtension> planned = ReleasePlanner.plan(metadata(), PgMajor.of(17), "pg17", this.files);

		PlannedExtension geo = planned.get(0);
		assertThat(geo.name()).isEqualTo("geo");
		assertThat(geo.libraries()).containsExactly("geo", "geo_hook");
		assertThat(geo.files()).extracting(ArtifactFile::path)
			.containsExactlyInAnyOrder("share/extension/geo.control", "share/extension/geo--1.0.sql", "lib/geo.so",
					"lib/geo_hook.so", "share/geo/projections.dat");
		PlannedExtension extra = planned.get(1);
		assertThat(extra.libraries()).containsExactly("geo_extra", "geo_hook");
		assertThat(extra.control().requires()).containsExactly("geo");
		assertThat(extra.files()).extracting(ArtifactFile::path)
			.doesNotContain("lib/geo.so", "share/extension/geo--1.0.sql");
	}

	@Test
	void scriptsInTheControlFilesDirectoryAreFound() {
		file("share/extension/moved.control", "default_version = '2.0'\ndirectory = 'moved'\n");
		file("share/moved/moved--2.0.sql", "SELECT 1;");
		List<PlannedExtension> planned = ReleasePlanner.plan(metadata(), PgMajor.of(17), "pg17", this.files);
		assertThat(planned.get(0).files()).extracting(ArtifactFile::path).contains("share/moved/moved--2.0.sql");
	}

	@Test
	void aDirectoryOutsideShareIsRefused() {
		file("share/extension/escape.control", "default_version = '1.0'\ndirectory = '/etc'\n");
		file("share/extension/escape--1.0.sql", "SELECT 1;");
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> ReleasePlanner.plan(metadata(), PgMajor.of(17), "pg17", this.files))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-control-file"));
	}

	private ReleaseMetadata metadata() {
		return ReleaseMetadata.parse(("{\"name\": \"geo\", \"version\": \"1.0.0\", \"abstract\": \"geo\", "
				+ "\"maintainer\": \"pgext tests\", \"license\": \"postgresql\", \"meta-spec\": {\"version\": \"1.0.0\"}}")
			.getBytes(StandardCharsets.UTF_8));
	}

	private void file(String path, String content) {
		try {
			Path file = this.directory.resolve(Integer.toString(this.files.size()));
			byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
			Files.write(file, bytes);
			this.files.put(path, new ArtifactFile(path, file, Sha256Digest.of(bytes), bytes.length));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
