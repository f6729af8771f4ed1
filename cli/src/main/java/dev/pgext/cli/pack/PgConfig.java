package dev.pgext.cli.pack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.pgext.cli.exit.CliException;
import dev.pgext.model.PgMajor;

/**
 * What one Postgres installation's {@code pg_config} says: its major and where extensions
 * go.
 *
 * @param path the {@code pg_config} program
 * @param major the Postgres major
 * @param sharedir {@code --sharedir} (extension files go to its {@code extension/})
 * @param pkglibdir {@code --pkglibdir} (shared libraries)
 */
public record PgConfig(Path path, PgMajor major, Path sharedir, Path pkglibdir) {

	private static final Pattern VERSION = Pattern.compile("PostgreSQL\\)? (\\d+)(?:\\.|devel|beta|rc|\\s|$)");

	/** Runs {@code pg_config --version --sharedir --pkglibdir}. */
	public static PgConfig of(Path pgConfig) {
		if (!Files.isExecutable(pgConfig)) {
			throw CliException.local("not an executable pg_config: " + pgConfig);
		}
		List<String> lines = run(List.of(pgConfig.toString(), "--version", "--sharedir", "--pkglibdir"));
		if (lines.size() < 3) {
			throw CliException.local(pgConfig + " answered " + lines + "; expected a version and two directories");
		}
		return new PgConfig(pgConfig, majorOf(pgConfig + " --version", lines.get(0)), Path.of(lines.get(1)),
				Path.of(lines.get(2)));
	}

	/**
	 * The major in {@code postgres (PostgreSQL) 15.19} or
	 * {@code PostgreSQL 15.14 (Debian ...)}.
	 */
	public static PgMajor majorOf(String source, String versionLine) {
		Matcher matcher = VERSION.matcher(versionLine);
		if (!matcher.find()) {
			throw CliException.local(source + " printed '" + versionLine + "', which names no PostgreSQL version");
		}
		try {
			return PgMajor.of(Integer.parseInt(matcher.group(1)));
		}
		catch (RuntimeException ex) {
			throw CliException.local(source + ": " + ex.getMessage());
		}
	}

	/**
	 * Runs {@code command} and returns its output lines; a failure is a local error with
	 * the output.
	 */
	public static List<String> run(List<String> command) {
		Path capture = null;
		try {
			// the output goes to a file, so the wait below is bounded even when the
			// program
			// never closes its output
			capture = Files.createTempFile("pgext-run", ".out");
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(capture.toFile())
				.start();
			process.getOutputStream().close();
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw CliException.local(String.join(" ", command) + " did not finish within 60 s");
			}
			String output = Files.readString(capture, StandardCharsets.UTF_8);
			if (process.exitValue() != 0) {
				throw CliException
					.local(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output.strip());
			}
			return output.lines().map(String::strip).filter((line) -> !line.isEmpty()).toList();
		}
		catch (IOException ex) {
			throw CliException.local("cannot run " + command.get(0) + ": " + CliException.describe(ex));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw CliException.local("interrupted while running " + command.get(0));
		}
		finally {
			if (capture != null) {
				try {
					Files.deleteIfExists(capture);
				}
				catch (IOException ex) {
					// a temporary file left behind
				}
			}
		}
	}

}
