package dev.pgext.loader.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.loader.ChildLoader;
import dev.pgext.loader.DataDirectories;
import dev.pgext.model.PgMajor;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.postgres.PostgresProcesses;
import dev.pgext.model.postgres.Unprivileged;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * A postmaster that outlived its loader is found through its data directory's lock file
 * and stopped before a new one starts, and a server that is not the supervisor's own
 * never counts as its server accepting connections.
 */
class PostgresSupervisorIntegrationTests {

	private static final Map<String, String> SETTINGS = Map.of("listen_addresses", "127.0.0.1",
			"unix_socket_directories", "", "fsync", "off");

	private final PostgresInstall install = PostgresInstalls.shared(15);

	@Test
	void aPostmasterALoaderLeftRunningIsStoppedAndAStaleLockFileIsLeftToPostgres(@TempDir Path dir) throws Exception {
		Path data = dir.resolve("data");
		int port = FreePorts.any();
		Process leftover = strayPostmaster(data, port);
		try (PostgresSupervisor supervisor = new PostgresSupervisor(this.install, data, port, Duration.ofSeconds(20),
				null)) {
			assertThat(supervisor.stopLeftover()).hasValue(leftover.pid());
			assertThat(leftover.isAlive()).isFalse();

			supervisor.start(SETTINGS, Duration.ofMinutes(1));
			assertThat(supervisor.state()).isEqualTo(PostgresSupervisor.State.RUNNING);
			assertThat(Files.readAllLines(data.resolve("postmaster.pid")).get(0))
				.isEqualTo(Long.toString(supervisor.pid()));
			assertThat(supervisor.stopLeftover()).as("its own server is no leftover of another loader").isEmpty();
		}
		assertThat(ChildLoader.postgresProcessesOf(data)).isEmpty();

		// a lock file whose process is gone is Postgres' own business: it replaces it
		Files.writeString(data.resolve("postmaster.pid"), "999999999\n" + data + "\n");
		try (PostgresSupervisor next = new PostgresSupervisor(this.install, data, port, Duration.ofSeconds(20), null)) {
			assertThat(next.stopLeftover()).isEmpty();
			next.start(SETTINGS, Duration.ofMinutes(1));
			assertThat(next.state()).isEqualTo(PostgresSupervisor.State.RUNNING);
		}
	}

	@Test
	void aServerKilledUnderItsSupervisorIsReportedWithItsSignalAndOnlyThisStartsLog(@TempDir Path dir)
			throws Exception {
		Path data = dir.resolve("data");
		try (PostgresSupervisor supervisor = new PostgresSupervisor(this.install, data, FreePorts.any(),
				Duration.ofSeconds(20), null)) {
			supervisor.initdbIfEmpty();
			Files.writeString(supervisor.logFile(), "an earlier start's last words\n", StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
			supervisor.start(SETTINGS, Duration.ofMinutes(1));

			ProcessHandle.of(supervisor.pid()).orElseThrow().destroyForcibly();

			await().atMost(Duration.ofSeconds(30)).until(() -> supervisor.state() == PostgresSupervisor.State.CRASHED);
			assertThat(supervisor.problem()).startsWith("postgres was killed by signal 9 (SIGKILL), exit status 137: ")
				.contains("database system is ready to accept connections")
				.doesNotContain("an earlier start's last words");
		}
		// the next start on the data directory recovers, and removes the shared memory
		// the
		// killed server left behind
		try (PostgresSupervisor next = new PostgresSupervisor(this.install, data, FreePorts.any(),
				Duration.ofSeconds(20), null)) {
			next.start(SETTINGS, Duration.ofMinutes(1));
			assertThat(next.state()).isEqualTo(PostgresSupervisor.State.RUNNING);
		}
	}

	@Test
	void aServerOfAnotherDataDirectoryOnThePortNeverMakesThisOneRunningAndIsLeftAlone(@TempDir Path dir)
			throws Exception {
		int port = FreePorts.any();
		Process other = strayPostmaster(dir.resolve("other"), port);
		try {
			Path data = dir.resolve("data");
			try (PostgresSupervisor supervisor = new PostgresSupervisor(this.install, data, port,
					Duration.ofSeconds(20), null)) {
				supervisor.initdbIfEmpty();
				assertThat(supervisor.stopLeftover()).isEmpty();
				assertThatIllegalStateException().isThrownBy(() -> supervisor.start(SETTINGS, Duration.ofSeconds(30)))
					.withMessageContaining("exited");
				// the supervisor moves to CRASHED from the process's exit callback, on
				// another
				// thread, which a loaded machine may run a moment after start() threw
				await("the supervisor sees its postmaster's exit").atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(supervisor.state()).isEqualTo(PostgresSupervisor.State.CRASHED));
			}
			assertThat(other.isAlive()).isTrue();
		}
		finally {
			PostgresProcesses.stopFast(other, Duration.ofSeconds(20));
		}
	}

	/**
	 * A postmaster started without any supervisor, as one a killed loader left behind.
	 */
	private Process strayPostmaster(Path data, int port) throws IOException {
		DataDirectories.copy(PgMajor.of(15), data);
		Process postmaster = Unprivileged
			.processBuilder(List.of(this.install.binary("postgres").toString(), "-D", data.toString(), "-p",
					Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c",
					"fsync=off"))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolveSibling(data.getFileName() + ".log").toFile()))
			.start();
		await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
			try (Connection ignored = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
					"postgres", "")) {
				return true;
			}
		});
		return postmaster;
	}

}
