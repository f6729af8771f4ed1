package dev.pgext.loader.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.postgres.PostgresProcesses;
import dev.pgext.model.postgres.Unprivileged;

/**
 * Runs the compute's {@code postgres} as a child process, never as root. Its output goes to
 * {@code <data dir>.log}; when it exits without being asked to, the supervisor logs the exit
 * code with the end of that log and reports {@link State#CRASHED}.
 */
public final class PostgresSupervisor implements AutoCloseable {

	/** The superuser {@code initdb} creates, which the loader connects as over loopback. */
	public static final String SUPERUSER = "postgres";

	private static final Logger log = LoggerFactory.getLogger(PostgresSupervisor.class);

	/** Where the server stands. */
	public enum State {

		/** Not started yet. */
		NOT_STARTED,

		/** Started, not yet accepting connections. */
		STARTING,

		/** Accepting connections. */
		RUNNING,

		/** Exited without being asked to. */
		CRASHED,

		/** Stopped by the loader. */
		STOPPED

	}

	private final PostgresInstall install;

	private final Path dataDir;

	private final int port;

	private final Consumer<State> listener;

	private volatile State state = State.NOT_STARTED;

	private volatile String problem;

	private volatile boolean stopping;

	private Process process;

	public PostgresSupervisor(PostgresInstall install, Path dataDir, int port, Consumer<State> listener) {
		this.install = install;
		this.dataDir = dataDir.toAbsolutePath();
		this.port = port;
		this.listener = listener;
	}

	/** Runs {@code initdb} when the data directory is missing or empty; returns whether it did. */
	public boolean initdbIfEmpty() {
		try {
			if (Files.isDirectory(this.dataDir)) {
				try (Stream<Path> entries = Files.list(this.dataDir)) {
					if (entries.findAny().isPresent()) {
						return false;
					}
				}
			}
			List<String> command = List.of(this.install.binary("initdb").toString(), "-D", this.dataDir.toString(),
					"-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C");
			Process initdb = Unprivileged.processBuilder(command).redirectErrorStream(true).start();
			initdb.getOutputStream().close();
			String output = new String(initdb.getInputStream().readAllBytes());
			if (!initdb.waitFor(5, TimeUnit.MINUTES) || initdb.exitValue() != 0) {
				initdb.destroyForcibly();
				throw new IllegalStateException("initdb of " + this.dataDir + " failed: " + output);
			}
			return true;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("initdb of " + this.dataDir + " failed: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted during initdb", ex);
		}
	}

	/** Starts {@code postgres -D <data> -p <port> -c ...} and waits until it accepts connections. */
	public void start(Map<String, String> settings, Duration timeout) {
		launch(settings);
		awaitConnections(timeout);
	}

	/** Starts {@code postgres -D <data> -p <port> -c ...} without waiting for it. */
	public synchronized void launch(Map<String, String> settings) {
		if (this.process != null) {
			throw new IllegalStateException("postgres was already started");
		}
		List<String> command = new ArrayList<>(List.of(this.install.binary("postgres").toString(), "-D",
				this.dataDir.toString(), "-p", Integer.toString(this.port)));
		settings.forEach((name, value) -> {
			command.add("-c");
			command.add(name + "=" + value);
		});
		try {
			this.process = Unprivileged.processBuilder(command)
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not start postgres: " + ex.getMessage(), ex);
		}
		change(State.STARTING);
		this.process.onExit().thenAccept(this::exited);
	}

	/** Waits until the launched server accepts a connection; fails when it exits or the time is up. */
	public void awaitConnections(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		SQLException last = null;
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(
						"postgres exited with " + this.process.exitValue() + " during start: " + logTail());
			}
			try (Connection ignored = connect("postgres")) {
				change(State.RUNNING);
				log.info("Postgres accepts connections on port {} (pid {})", this.port, this.process.pid());
				return;
			}
			catch (SQLException ex) {
				last = ex;
			}
			try {
				Thread.sleep(25);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while waiting for postgres", ex);
			}
		}
		throw new IllegalStateException("postgres did not accept connections within " + timeout + ": "
				+ ((last != null) ? last.getMessage() : "") + "; " + logTail());
	}

	private void exited(Process exited) {
		if (this.stopping) {
			change(State.STOPPED);
			return;
		}
		this.problem = "postgres exited with " + exited.exitValue() + ": " + logTail();
		log.error("Postgres crashed: {}", this.problem);
		change(State.CRASHED);
	}

	private void change(State next) {
		this.state = next;
		if (this.listener != null) {
			this.listener.accept(next);
		}
	}

	/** A connection as the superuser over loopback. */
	public Connection connect(String database) throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + this.port + "/" + database, SUPERUSER, "");
	}

	public State state() {
		return this.state;
	}

	/** Why the server is down, or {@code null}. */
	public String problem() {
		return this.problem;
	}

	/** The process id, or -1 before start. */
	public synchronized long pid() {
		return (this.process != null) ? this.process.pid() : -1;
	}

	public Path logFile() {
		return this.dataDir.resolveSibling(this.dataDir.getFileName() + ".log");
	}

	private String logTail() {
		try {
			List<String> lines = Files.readAllLines(logFile());
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
		}
		catch (IOException | RuntimeException ex) {
			return "(no log)";
		}
	}

	/** Fast shutdown (SIGINT), then a kill if it takes longer than a minute. */
	@Override
	public synchronized void close() {
		this.stopping = true;
		if (this.process == null || !this.process.isAlive()) {
			return;
		}
		PostgresProcesses.stopFast(this.process, Duration.ofMinutes(1));
	}

}
