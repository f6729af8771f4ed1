package dev.pgext.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
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
		return PostgresBinaries.installShared(new PgMajor(major));
	}

	/**
	 * A private installation of {@code major} at {@code directory} (created when missing;
	 * one that holds a complete installation already is returned as it is): a copy of
	 * {@link #shared(int)} made with {@code cp -a}, which keeps modes and symbolic links
	 * and costs a fraction of the CPU of extracting the binaries' {@code .txz} again.
	 */
	public static PostgresInstall copy(int major, Path directory) {
		PostgresInstall copy = new PostgresInstall(directory);
		if (copy.isComplete()) {
			return copy;
		}
		PostgresInstall shared = shared(major);
		try {
			TreeCopy.copy(shared.root(), directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		if (!copy.isComplete()) {
			throw new IllegalStateException(directory + " exists but holds no complete installation");
		}
		return copy;
	}

}
