package dev.pgext.model.postgres;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.pgext.model.StoreLayout;

/**
 * A Postgres installation directory with {@code bin/}, {@code lib/} and {@code share/}.
 * Store paths ({@code share/extension/x.control}, {@code lib/x.so}) are relative to the
 * server's {@code sharedir} and {@code pkglibdir}; {@link #resolve(String)} maps them.
 *
 * @param root the installation directory
 */
public record PostgresInstall(Path root) {

	public PostgresInstall {
		root = root.toAbsolutePath().normalize();
	}

	public Path bin() {
		return this.root.resolve("bin");
	}

	public Path lib() {
		return this.root.resolve("lib");
	}

	public Path share() {
		return this.root.resolve("share");
	}

	/**
	 * The server's {@code sharedir}: {@code share/postgresql} in Debian-style trees (such
	 * as the Maven Central binaries), {@code share} otherwise.
	 */
	public Path sharedir() {
		Path debian = share().resolve("postgresql");
		return Files.isDirectory(debian.resolve("extension")) || Files.isRegularFile(debian.resolve("postgres.bki"))
				? debian : share();
	}

	/**
	 * The server's {@code pkglibdir} ({@code $libdir}): {@code lib/postgresql} in
	 * Debian-style trees, {@code lib} otherwise.
	 */
	public Path pkglibdir() {
		Path debian = lib().resolve("postgresql");
		return Files.isDirectory(debian) ? debian : lib();
	}

	/** {@code <sharedir>/extension}, where control files and install scripts live. */
	public Path extensionDir() {
		return sharedir().resolve("extension");
	}

	/**
	 * Where a store path lands in this installation: {@code share/x} under
	 * {@link #sharedir()}, {@code lib/x} under {@link #pkglibdir()}.
	 */
	public Path resolve(String storePath) {
		StoreLayout.checkInstallPath(storePath);
		if (storePath.startsWith("share/")) {
			return sharedir().resolve(storePath.substring("share/".length()));
		}
		return pkglibdir().resolve(storePath.substring("lib/".length()));
	}

	/** A program in {@code bin/}, such as {@code initdb} or {@code postgres}. */
	public Path binary(String name) {
		return bin().resolve(name);
	}

	/** Whether {@code bin/postgres} and {@code bin/initdb} are there and executable. */
	public boolean isComplete() {
		return Files.isExecutable(binary("postgres")) && Files.isExecutable(binary("initdb"));
	}

}
