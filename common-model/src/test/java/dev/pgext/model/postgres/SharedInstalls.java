package dev.pgext.model.postgres;

import java.nio.file.Path;

import dev.pgext.model.PgMajor;

/**
 * The PostgreSQL installations this module's tests read, extracted once per build where
 * test-support's {@code PostgresInstalls} keeps them (beside the binaries the build
 * copies, or under {@code java.io.tmpdir}), so later modules find them extracted.
 * Extraction of one major is locked against the other test JVMs asking for it at once.
 */
public final class SharedInstalls {

	private SharedInstalls() {
	}

	public static PostgresInstall of(int major) {
		String binaries = System.getProperty(PostgresBinaries.DIRECTORY_PROPERTY,
				System.getenv(PostgresBinaries.DIRECTORY_ENV));
		Path cache = (binaries != null && !binaries.isBlank()) ? Path.of(binaries).resolveSibling("pg-installs")
				: Path.of(System.getProperty("java.io.tmpdir"), "pgext-pg-installs");
		return PostgresBinaries.install(new PgMajor(major), cache);
	}

}
