package dev.pgext.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.Assumptions;

/**
 * The {@code pgext_loader} hook built once per JVM against Debian's PostgreSQL 15 headers, for
 * tests and benchmarks of a compute that starts with the hook configured.
 */
public final class HookLibraryBuild {

	private static Path built;

	private HookLibraryBuild() {
	}

	/** The built {@code pgext_loader.so}; aborts the test when the PostgreSQL 15 headers are missing outside CI. */
	public static synchronized Path library() {
		if (built != null) {
			return built;
		}
		Path pgConfig = Path.of("/usr/lib/postgresql/15/bin/pg_config");
		if (!Files.isExecutable(pgConfig)) {
			String reason = "pg_config of PostgreSQL 15 is missing: install postgresql-server-dev-15";
			if (System.getenv("CI") != null) {
				throw new IllegalStateException(reason);
			}
			Assumptions.abort(reason);
		}
		try {
			Path dir = Files.createDirectories(Path.of("target", "pg-hook-compute"));
			for (String file : new String[] { "pgext_loader.c", "Makefile" }) {
				Files.copy(Path.of("pg-hook", file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
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
