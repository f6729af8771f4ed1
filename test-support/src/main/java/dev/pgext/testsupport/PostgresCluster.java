package dev.pgext.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.postgres.PostgresProcesses;
import dev.pgext.model.postgres.PostmasterLockFile;
import dev.pgext.model.postgres.Unprivileged;

/**
 * A cluster made with a real installation's {@code initdb} and run with its
 * {@code postgres}, as an unprivileged user when the JVM is root. For tests that need a
 * whole server of a given major, not just a database.
 */
public final class PostgresCluster implements AutoCloseable {

	private final PostgresInstall install;

	private final Path dataDirectory;

	private Process process;

	private int port;

	private PostgresCluster(PostgresInstall install, Path dataDirectory) {
		this.install = install;
		this.dataDirectory = dataDirectory;
	}

	/**
	 * Runs {@code initdb} (superuser {@code postgres}, trust auth, UTF8, C locale) into
	 * {@code dataDirectory}.
	 */
	public static PostgresCluster initdb(PostgresInstall install, Path dataDirectory) {
		List<String> command = List.of(install.binary("initdb").toString(), "-D", dataDirectory.toString(), "-U",
				"postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync");
		run(command, Duration.ofMinutes(2));
		return new PostgresCluster(install, dataDirectory);
	}

	/** A cluster over an existing data directory. */
	public static PostgresCluster existing(PostgresInstall install, Path dataDirectory) {
		return new PostgresCluster(install, dataDirectory);
	}

	/**
	 * Releases what a server killed on {@code dataDirectory} left in the kernel (its
	 * System V shared memory segment and dynamic shared memory under {@code /dev/shm}):
	 * Postgres frees them only when a server starts again on the same data directory, so
	 * a test that kills one and then deletes the directory leaks them for as long as the
	 * machine runs. Starts and stops the server once when {@code postmaster.pid} names a
	 * process that is gone; does nothing otherwise.
	 */
	public static void releaseAfterCrash(PostgresInstall install, Path dataDirectory) {
		Optional<Long> pid = lockFilePid(dataDirectory);
		if (pid.isEmpty() || ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)) {
			return;
		}
		try (PostgresCluster cluster = existing(install, dataDirectory).start(Map.of())) {
			// started: the server removed the crashed one's segments
		}
	}

	/**
	 * The process id the data directory's {@code postmaster.pid} names, if it has a
	 * readable one: a server's, running or gone.
	 */
	static Optional<Long> lockFilePid(Path dataDirectory) {
		try {
			return PostmasterLockFile.read(dataDirectory).map(PostmasterLockFile::pid);
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Starts the server on a free loopback port and waits until it accepts connections.
	 */
	public PostgresCluster start(Map<String, String> settings) {
		this.port = FreePorts.any();
		List<String> command = new ArrayList<>(List.of(this.install.binary("postgres").toString(), "-D",
				this.dataDirectory.toString(), "-p", Integer.toString(this.port), "-c", "listen_addresses=127.0.0.1",
				"-c", "unix_socket_directories=", "-c", "fsync=off"));
		settings.forEach((name, value) -> {
			command.add("-c");
			command.add(name + "=" + value);
		});
		try {
			Path log = this.dataDirectory.resolveSibling(this.dataDirectory.getFileName() + ".log");
			this.process = Unprivileged.processBuilder(command)
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			awaitReady(log, Duration.ofSeconds(60));
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not start postgres: " + ex.getMessage(), ex);
		}
	}

	private void awaitReady(Path log, Duration timeout) {
		try {
			Awaitility.await("postgres to accept connections")
				.atMost(timeout)
				.pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(50))
				.failFast(() -> !this.process.isAlive())
				.ignoreExceptionsInstanceOf(SQLException.class)
				.until(() -> {
					try (Connection ignored = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "")) {
						return true;
					}
				});
		}
		catch (TerminalFailureException ex) {
			throw new IllegalStateException("postgres exited with " + this.process.exitValue() + ": " + tail(log), ex);
		}
		catch (ConditionTimeoutException ex) {
			throw new IllegalStateException("postgres did not accept connections within " + timeout + ": "
					+ ((ex.getCause() != null) ? ex.getCause().getMessage() : "") + "\n" + tail(log), ex);
		}
	}

	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/** A connection as the superuser to {@code database}. */
	public Connection connect(String database) throws SQLException {
		return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
	}

	public int port() {
		return this.port;
	}

	public Path dataDirectory() {
		return this.dataDirectory;
	}

	/** Stops the server with a fast shutdown and waits for it to exit. */
	public void stop() {
		if (this.process != null) {
			PostgresProcesses.stopFast(this.process, Duration.ofMinutes(1));
		}
	}

	@Override
	public void close() {
		stop();
	}

	/**
	 * Runs a program of an installation unprivileged and returns its output; fails with
	 * the output otherwise.
	 */
	public static String run(List<String> command, Duration timeout) {
		try {
			Process p = Unprivileged.processBuilder(command).redirectErrorStream(true).start();
			p.getOutputStream().close();
			byte[] output = p.getInputStream().readAllBytes();
			if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				p.destroyForcibly();
				throw new IllegalStateException(command.get(0) + " timed out after " + timeout);
			}
			String text = new String(output, StandardCharsets.UTF_8);
			if (p.exitValue() != 0) {
				throw new IllegalStateException(
						String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + text);
			}
			return text;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
		}
		catch (IOException ex) {
			return "(no log)";
		}
	}

}
