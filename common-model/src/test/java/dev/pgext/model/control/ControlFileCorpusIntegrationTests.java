package dev.pgext.model.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgext.model.PgMajor;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.model.postgres.PostgresInstall;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parses every {@code .control} file shipped in the real PG 15 and PG 17 binaries (the
 * installations the build extracts once and later modules use too).
 */
class ControlFileCorpusIntegrationTests {

	@ParameterizedTest
	@ValueSource(ints = { 15, 17 })
	void everyControlFileOfARealPostgresParses(int major) throws IOException {
		Map<String, String> controls = controlFiles(PostgresBinaries.installShared(new PgMajor(major)));
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

	private static Map<String, String> controlFiles(PostgresInstall install) throws IOException {
		Map<String, String> controls = new TreeMap<>();
		try (Stream<Path> files = Files.list(install.extensionDir())) {
			for (Path file : files.filter((f) -> f.getFileName().toString().endsWith(".control")).toList()) {
				controls.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
			}
		}
		return controls;
	}

}
