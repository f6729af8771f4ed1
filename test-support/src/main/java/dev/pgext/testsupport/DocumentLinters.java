package dev.pgext.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import dev.pgext.model.Executables;

/**
 * The linters the ecosystem judges a service's published documents with: Redocly's
 * {@code redocly lint} (recommended rules) for an OpenAPI document and Prometheus'
 * {@code promtool check metrics} for a scrape. Neither is Java: Redocly comes from npm (
 * {@code .ci/run} installs the pinned version under {@code target/tools/redocly}),
 * promtool from Debian's {@code prometheus} package ({@code .ci/run} unpacks just that
 * binary into {@code target/tools/promtool}; one on the PATH does too). A test whose
 * linter is missing is skipped with the reason, except under CI ({@code CI} set), where a
 * missing promtool, or a missing Redocly while node is present, is a failure.
 */
public final class DocumentLinters {

	/**
	 * System property naming the directory the linters are installed under (the build
	 * sets it).
	 */
	public static final String TOOLS_PROPERTY = "pgext.test.tools-dir";

	private static final long TIMEOUT_SECONDS = 120;

	private DocumentLinters() {
	}

	/**
	 * Runs {@code redocly lint --extends=recommended} on {@code document}.
	 * @param document an OpenAPI document (JSON or YAML)
	 * @return what Redocly said; {@link Outcome#passed()} is false when it reports an
	 * error
	 */
	public static Outcome redoclyLint(Path document) {
		Path redocly = toolsDir().resolve("redocly/node_modules/.bin/redocly");
		if (!Files.isExecutable(redocly)) {
			String reason = "@redocly/cli is not installed at " + redocly
					+ " (.ci/run installs it: npm install --prefix "
					+ "target/tools/redocly @redocly/cli@<version pinned there>)";
			if (nodeAvailable()) {
				OutsideTools.failUnderCi(reason + "; node is present, so CI must lint");
			}
			Assumptions.abort(reason);
		}
		return run(List.of(redocly.toString(), "lint", "--extends=recommended", "--format=stylish",
				"--max-problems=1000", document.toString()), null);
	}

	/**
	 * Runs {@code promtool check metrics} on a Prometheus text exposition.
	 * @param exposition what {@code /actuator/prometheus} answered
	 * @return what promtool said; {@link Outcome#passed()} is false when it reports a
	 * problem
	 */
	public static Outcome promtoolCheckMetrics(String exposition) {
		Path unpacked = toolsDir().resolve("promtool/promtool");
		String promtool = Files.isExecutable(unpacked) ? unpacked.toString()
				: Executables.onPath("promtool").map(Path::toString).orElse(null);
		OutsideTools.require(promtool != null, "promtool is neither at " + unpacked
				+ " (.ci/run unpacks it there from Debian's prometheus package) nor on the PATH");
		return run(List.of(promtool, "check", "metrics"), exposition);
	}

	private static Outcome run(List<String> command, String stdin) {
		try {
			Path output = Files.createTempFile("pgext-lint", ".txt");
			try {
				ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
					.redirectOutput(output.toFile());
				builder.environment().put("REDOCLY_TELEMETRY", "off");
				builder.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
				Process process = builder.start();
				try (var in = process.getOutputStream()) {
					if (stdin != null) {
						in.write(stdin.getBytes(StandardCharsets.UTF_8));
					}
				}
				if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
					process.destroyForcibly();
					throw new IllegalStateException(command.get(0) + " did not finish in " + TIMEOUT_SECONDS + " s");
				}
				return new Outcome(process.exitValue(), Files.readString(output));
			}
			finally {
				Files.deleteIfExists(output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static Path toolsDir() {
		String dir = System.getProperty(TOOLS_PROPERTY);
		return (dir != null && !dir.isBlank()) ? Path.of(dir) : Path.of("target/tools");
	}

	private static boolean nodeAvailable() {
		return Executables.onPath("node").isPresent();
	}

	/**
	 * What a linter said.
	 *
	 * @param exitCode its exit status (0 when it found nothing to refuse)
	 * @param output its standard output and error, for the failure message
	 */
	public record Outcome(int exitCode, String output) {

		public boolean passed() {
			return this.exitCode == 0;
		}

	}

}
