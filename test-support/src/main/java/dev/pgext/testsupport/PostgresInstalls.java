package dev.pgext.testsupport;

import java.nio.file.Path;

import dev.pgext.model.PgMajor;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * Real Postgres installations of majors 14 to 18, extracted once per build from the
 * binaries the build copies next to it, so that tests run real {@code initdb},
 * {@code postgres} and contrib extension files.
 */
public final class PostgresInstalls {

	private PostgresInstalls() {
	}

	/**
	 * A shared, read-only installation of {@code major}. Tests that change an
	 * installation (the loader places files into it) take a {@link #copy(int, Path)}
	 * instead.
	 */
	public static PostgresInstall shared(int major) {
		return PostgresBinaries.install(new PgMajor(major), cacheRoot());
	}

	/**
	 * A private installation of {@code major} under {@code directory}, freshly extracted.
	 */
	public static PostgresInstall copy(int major, Path directory) {
		return PostgresBinaries.extract(PostgresBinaries.locate(new PgMajor(major)), directory);
	}

	private static Path cacheRoot() {
		String binaries = System.getProperty(PostgresBinaries.DIRECTORY_PROPERTY,
				System.getenv(PostgresBinaries.DIRECTORY_ENV));
		if (binaries != null && !binaries.isBlank()) {
			return Path.of(binaries).resolveSibling("pg-installs");
		}
		return Path.of(System.getProperty("java.io.tmpdir"), "pgext-pg-installs");
	}

}
