package dev.pgext.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A local run asked to stop by Ctrl-C (SIGINT) or by {@code spring-boot:run} and
 * {@code kill} (SIGTERM) runs its shutdown hooks and exits with status 0, which Maven
 * counts as success.
 */
class StopOnSignalIntegrationTests {

	/**
	 * A stand-in for a local run: a shutdown hook that says it ran, then waiting to be
	 * stopped.
	 */
	public static final class Waiting {

		public static void main(String[] args) throws InterruptedException {
			Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stopped cleanly")));
			StopOnSignal.install();
			System.out.println("ready");
			System.out.flush();
			Thread.sleep(TimeUnit.MINUTES.toMillis(2));
		}

	}

	@ParameterizedTest
	@ValueSource(strings = { "INT", "TERM" })
	void aSignalToStopRunsTheShutdownHooksAndExitsWithStatus0(String signal) throws Exception {
		// a command started in the background by a non-interactive shell ignores SIGINT,
		// and
		// so does every process it starts: the JVM then keeps it ignored, as a terminal's
		// Ctrl-C would not reach such a run either
		assumeFalse(ignoredHere(signal),
				() -> "SIG" + signal + " is ignored by this test run (started in the background)");
		List<String> command = new ArrayList<>(ChildJvm.command());
		command.add(Waiting.class.getName());
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		try (BufferedReader output = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			assertThat(output.readLine()).isEqualTo("ready");
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
			assertThat(kill.waitFor()).isZero();
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(output.readLine()).isEqualTo("stopped cleanly");
			assertThat(process.exitValue()).isZero();
		}
		finally {
			process.destroyForcibly();
		}
	}

	/** Whether this process ignores the signal, as its children then do too. */
	private static boolean ignoredHere(String signal) throws IOException {
		int number = switch (signal) {
			case "INT" -> 2;
			case "TERM" -> 15;
			default -> throw new IllegalArgumentException(signal);
		};
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("SigIgn:")) {
				long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
				return (mask & (1L << (number - 1))) != 0;
			}
		}
		return false;
	}

}
