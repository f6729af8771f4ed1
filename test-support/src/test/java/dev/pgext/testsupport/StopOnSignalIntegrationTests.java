package dev.pgext.testsupport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

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
		Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), Waiting.class.getName())
			.redirectErrorStream(true)
			.start();
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

}
