package dev.pgext.loader.compute;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code promtool check metrics} (Prometheus' own linter: HELP present, units as suffixes,
 * counters ending in {@code _total}) over a scrape, when Debian's {@code prometheus} package
 * is installed; without it only the HELP checks of the calling test apply.
 */
final class PromtoolCheck {

	private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

	private PromtoolCheck() {
	}

	static void assertClean(String scrape) throws IOException, InterruptedException {
		if (!Files.isExecutable(PROMTOOL)) {
			return;
		}
		Process check = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
		try (OutputStream in = check.getOutputStream()) {
			in.write(scrape.getBytes(StandardCharsets.UTF_8));
		}
		String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		check.waitFor();
		// what it says about metrics of the libraries underneath (JVM, Tomcat) is shown, not failed
		System.out.println("promtool check metrics (exit " + check.exitValue() + "):\n" + report);
		assertThat(report.lines().filter((line) -> line.contains("pgext_"))).as(report).isEmpty();
	}

}
