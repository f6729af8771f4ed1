package dev.pgext.loader.hook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * Builds the {@code pgext_loader} hook ({@code extension-loader/pg-hook}) with PGXS against
 * Debian's PostgreSQL 15 server headers, in a copy under {@code target/} so that the sources
 * stay clean. {@code .ci/run} installs the headers; elsewhere, without them, the tests that
 * need the hook are skipped with the reason, except under CI, where that is a failure.
 */
final class PgHookBuild {

	private static final Path SOURCES = Path.of("pg-hook");

	private static Path built;

	private PgHookBuild() {
	}

	static synchronized Path library() {
		if (built != null) {
			return built;
		}
		Path pgConfig = Path.of(System.getenv().getOrDefault("PG_CONFIG_15", "/usr/lib/postgresql/15/bin/pg_config"));
		Path headers = Path.of("/usr/include/postgresql/15/server/postgres.h");
		if (!Files.isExecutable(pgConfig) || (System.getenv("PG_CONFIG_15") == null && !Files.isRegularFile(headers))) {
			String reason = "PostgreSQL 15 server headers are missing (" + pgConfig + ", " + headers
					+ "): install postgresql-server-dev-15 (.ci/run does) to build the pgext_loader hook";
			if (System.getenv("CI") != null) {
				throw new IllegalStateException(reason);
			}
			Assumptions.abort(reason);
		}
		try {
			Path dir = Path.of("target", "pg-hook");
			Files.createDirectories(dir);
			for (String file : List.of("pgext_loader.c", "Makefile")) {
				Files.copy(SOURCES.resolve(file), dir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
			}
			Process make = new ProcessBuilder("make", "-C", dir.toString(), "PG_CONFIG=" + pgConfig, "with_llvm=no")
				.redirectErrorStream(true)
				.start();
			String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (make.waitFor() != 0) {
				throw new IllegalStateException("building the pgext_loader hook failed:\n" + output);
			}
			built = dir.resolve("pgext_loader.so").toAbsolutePath();
			return built;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
