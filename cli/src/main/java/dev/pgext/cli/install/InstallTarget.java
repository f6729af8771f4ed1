package dev.pgext.cli.install;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.pack.PgConfig;
import dev.pgext.model.PgMajor;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * The Postgres installation extensions are placed into: its major, its {@code sharedir}
 * (control files and scripts go to {@code extension/} below it) and its
 * {@code pkglibdir}.
 *
 * @param major the Postgres major
 * @param sharedir the installation's {@code sharedir}
 * @param pkglibdir the installation's {@code pkglibdir} ({@code $libdir})
 */
public record InstallTarget(PgMajor major, Path sharedir, Path pkglibdir) {

	public InstallTarget {
		sharedir = sharedir.toAbsolutePath().normalize();
		pkglibdir = pkglibdir.toAbsolutePath().normalize();
	}

	/** The installation a {@code pg_config} describes. */
	public static InstallTarget ofPgConfig(Path pgConfig) {
		PgConfig config = PgConfig.of(pgConfig);
		return new InstallTarget(config.major(), config.sharedir(), config.pkglibdir());
	}

	/**
	 * An installation directory without {@code pg_config} (as the embedded Postgres
	 * binaries come): {@code share/postgresql} or {@code share}, {@code lib/postgresql}
	 * or {@code lib}; the major from {@code bin/postgres --version} unless given.
	 */
	public static InstallTarget ofDirectory(Path root, Integer major) {
		if (!Files.isDirectory(root)) {
			throw CliException.local("--pgdir " + root + " is not a directory");
		}
		PostgresInstall install = new PostgresInstall(root.toAbsolutePath());
		// a packaged layout (Debian's /usr/lib/postgresql/15 keeps its share directory in
		// /usr/share/postgresql/15) has none below the root: placing there would be
		// placing
		// where Postgres never looks
		if (!Files.isDirectory(install.sharedir().resolve("extension"))) {
			throw CliException.local("--pgdir " + root + " has no share/extension (looked for "
					+ install.sharedir().resolve("extension") + "); for a packaged PostgreSQL give --pg-config "
					+ "<its bin>/pg_config, which names the directories");
		}
		PgMajor pgMajor = (major != null) ? PgMajor.of(major) : majorOf(install);
		return new InstallTarget(pgMajor, install.sharedir(), install.pkglibdir());
	}

	private static PgMajor majorOf(PostgresInstall install) {
		Path postgres = install.binary("postgres");
		if (!Files.isExecutable(postgres)) {
			throw CliException.local(install.root() + " has no bin/postgres to ask for its version; give --pg-major");
		}
		List<String> lines = PgConfig.run(List.of(postgres.toString(), "--version"));
		return PgConfig.majorOf(postgres + " --version", lines.isEmpty() ? "" : lines.get(0));
	}

	/** {@code <sharedir>/extension}. */
	public Path extensionDir() {
		return this.sharedir.resolve("extension");
	}

	/**
	 * Where the store path {@code share/...} or {@code lib/...} lands in this
	 * installation.
	 */
	public Path resolve(String storePath) {
		StoreLayout.checkInstallPath(storePath);
		Path base = storePath.startsWith("share/") ? this.sharedir : this.pkglibdir;
		Path target = base.resolve(storePath.substring(storePath.indexOf('/') + 1)).normalize();
		if (!target.startsWith(base)) {
			throw CliException.local(storePath + " would land outside " + base);
		}
		return target;
	}

	@Override
	public String toString() {
		return "PostgreSQL " + this.major.value() + " (sharedir " + this.sharedir + ", pkglibdir " + this.pkglibdir
				+ ")";
	}

}
