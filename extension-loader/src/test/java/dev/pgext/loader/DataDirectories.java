package dev.pgext.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import dev.pgext.model.PgMajor;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;
import dev.pgext.testsupport.TreeCopy;

/**
 * Initialised data directories for the computes of tests that are not about
 * {@code initdb}: a {@code cp -a} of one cluster per Postgres version, made under
 * {@code target/pg-data-templates} by the first test JVM that needs it (renamed into
 * place complete, so another JVM never sees half of it) with the options of the loader's
 * own {@code initdb} (superuser {@code postgres}, trust authentication, UTF8, C locale).
 * The loader finds the directory initialised and starts Postgres on it; a copy costs
 * about half of {@code initdb}'s CPU and none of its file syncs. The loader's own
 * {@code initdb} stays under test where a compute starts on an empty directory
 * ({@code ComputeIntegrationTests}, {@code LoaderCrashRecoveryIntegrationTests},
 * {@code PostgresSupervisorIntegrationTests}).
 */
public final class DataDirectories {

	private static final Path TEMPLATES = Path.of("target", "pg-data-templates").toAbsolutePath();

	private DataDirectories() {
	}

	/**
	 * Fills {@code data} (missing or empty) with a cluster of {@code major}'s binaries;
	 * returns {@code data}.
	 */
	public static Path copy(PgMajor major, Path data) {
		Path template = template(major);
		try {
			TreeCopy.copy(template, data);
			// Postgres refuses a data directory others may read
			Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return data;
	}

	private static synchronized Path template(PgMajor major) {
		PostgresInstall shared = PostgresInstalls.shared(major.value());
		// one per binaries version, named as the shared installation's directory
		Path template = TEMPLATES.resolve(shared.root().getFileName().toString());
		if (Files.isRegularFile(template.resolve("PG_VERSION"))) {
			return template;
		}
		try {
			Files.createDirectories(TEMPLATES);
			Path temp = Files.createTempDirectory(TEMPLATES, "." + template.getFileName() + ".");
			try {
				PostgresCluster.initdb(shared, temp.resolve("data"));
				// false: another test JVM won; its template is complete
				FilePlacement.moveDirectoryIntoPlace(temp.resolve("data"), template);
			}
			finally {
				FileTrees.delete(temp);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return template;
	}

}
