package dev.pgext.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@code pgext_loader} hook for the local compute when PostgreSQL 15's server
 * headers are installed, so that a plain {@code CREATE EXTENSION} fetches on demand.
 */
final class HookBuild {

	private static final Logger log = LoggerFactory.getLogger(HookBuild.class);

	private static final Path PG_CONFIG = Path.of("/usr/lib/postgresql/15/bin/pg_config");

	private static final Path SERVER_HEADERS = Path.of("/usr/include/postgresql/15/server/postgres.h");

	private HookBuild() {
	}

	/**
	 * The built library, or empty (with the reason logged) when it cannot be built here.
	 */
	static Optional<Path> build(Path into) {
		Optional<Path> sources = sources();
		if (sources.isEmpty()) {
			log.warn("pgext_loader hook sources not found; the compute prefetches every extension instead");
			return Optional.empty();
		}
		if (!Files.isExecutable(PG_CONFIG) || !Files.isRegularFile(SERVER_HEADERS)) {
			log.warn("{} is missing (apt-get install postgresql-server-dev-15); the compute prefetches every "
					+ "extension instead of fetching on CREATE EXTENSION", SERVER_HEADERS);
			return Optional.empty();
		}
		try {
			Files.createDirectories(into);
			for (String file : List.of("pgext_loader.c", "Makefile")) {
				Path source = sources.get().resolve(file);
				Path copy = into.resolve(file);
				// an unchanged source keeps its time, so make finds the library of the
				// last start up to date instead of compiling it again
				if (!Files.exists(copy) || Files.mismatch(source, copy) != -1) {
					Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
				}
			}
			Process make = new ProcessBuilder("make", "-C", into.toString(), "PG_CONFIG=" + PG_CONFIG, "with_llvm=no")
				.redirectErrorStream(true)
				.start();
			String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (make.waitFor() != 0) {
				log.warn("building the pgext_loader hook failed; the compute prefetches every extension instead:\n{}",
						output);
				return Optional.empty();
			}
			return Optional.of(into.resolve("pgext_loader.so"));
		}
		catch (IOException ex) {
			log.warn("building the pgext_loader hook failed: {}", ex.getMessage());
			return Optional.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	/**
	 * {@code extension-loader/pg-hook} of this checkout, looked up from the working
	 * directory upwards.
	 */
	private static Optional<Path> sources() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			Path candidate = dir.resolve("extension-loader/pg-hook");
			if (Files.isRegularFile(candidate.resolve("pgext_loader.c"))) {
				return Optional.of(candidate);
			}
		}
		return Optional.empty();
	}

}
