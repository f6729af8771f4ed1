package dev.pgext.model.control;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgext.model.PgMajor;
import dev.pgext.model.postgres.PostgresBinaries;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parses every {@code .control} file shipped in the real PG 15 and PG 17 binaries.
 */
class ControlFileCorpusIntegrationTests {

	@ParameterizedTest
	@ValueSource(ints = { 15, 17 })
	void everyControlFileOfARealPostgresParses(int major) throws IOException {
		Map<String, String> controls = controlFiles(PostgresBinaries.locate(new PgMajor(major)));
		assertThat(controls).hasSizeGreaterThan(40)
			.containsKeys("hstore.control", "pg_trgm.control", "earthdistance.control", "pg_stat_statements.control",
					"plpgsql.control");

		List<String> failures = new ArrayList<>();
		Map<String, ControlFile> parsed = new LinkedHashMap<>();
		controls.forEach((name, text) -> {
			try {
				parsed.put(name, ControlFileParser.parse(name, text));
			}
			catch (ControlFileException ex) {
				failures.add(ex.getMessage());
			}
		});
		assertThat(failures).isEmpty();

		ControlFile earthdistance = parsed.get("earthdistance.control");
		assertThat(earthdistance.requires()).containsExactly("cube");
		assertThat(earthdistance.moduleLibrary()).isEqualTo("earthdistance");
		ControlFile hstore = parsed.get("hstore.control");
		assertThat(hstore.trusted()).isTrue();
		assertThat(hstore.relocatable()).isTrue();
		assertThat(hstore.defaultVersion()).isNotBlank();
		assertThat(parsed.get("plpgsql.control").modulePathname()).isEqualTo("$libdir/plpgsql");
	}

	private static Map<String, String> controlFiles(PostgresBinaries.Artifact artifact) throws IOException {
		Map<String, String> controls = new LinkedHashMap<>();
		try (JarInputStream jar = new JarInputStream(new BufferedInputStream(Files.newInputStream(artifact.jar())))) {
			JarEntry entry;
			while ((entry = jar.getNextJarEntry()) != null) {
				if (!entry.getName().endsWith(".txz")) {
					continue;
				}
				TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(jar));
				TarArchiveEntry file;
				while ((file = tar.getNextEntry()) != null) {
					String name = file.getName();
					if (file.isFile() && name.contains("/extension/") && name.endsWith(".control")) {
						controls.put(name.substring(name.lastIndexOf('/') + 1), read(tar));
					}
				}
			}
		}
		return controls;
	}

	private static String read(InputStream in) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		in.transferTo(out);
		return out.toString(StandardCharsets.UTF_8);
	}

}
