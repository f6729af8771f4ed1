package dev.pgext.loader.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.model.postgres.LeftoverPostmaster;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.postgres.PostgresProcesses;
import dev.pgext.model.postgres.PostmasterLockFile;
import dev.pgext.model.postgres.Unprivileged;

/**
 * Runs the compute's {@code postgres} as a child process, never as root, and never longer
 * than the loader: the postmaster is started with a parent-death signal (SIGINT, a fast
 * shutdown) from one long-lived thread, so that a killed loader takes its Postgres down
 * with it, and a postmaster of the same data directory that is still alive when a loader
 * starts is stopped first ({@link #stopLeftover()}). Its output goes to
 * {@code <data dir>.log}; when it exits without being asked to, the supervisor logs the
 * exit code with the end of that log and reports {@link State#CRASHED}.
 * <p>
 * The state changes in one place, {@link #move}:
 * {@code NOT_STARTED -> STARTING -> RUNNING}, {@code STARTING|RUNNING -> CRASHED} on an
 * unexpected exit, and {@code -> STOPPED} once the loader stopped it. {@code RUNNING} is
 * reached only when a connection succeeded to a server whose {@code data_directory} is
 * this one, while this supervisor's own process was alive and held the data directory's
 * lock file: never because another server answered on the port.
 */
public final class PostgresSupervisor implements AutoCloseable {

	/**
	 * The superuser {@code initdb} creates, which the loader connects as over loopback.
	 */
	public static final String SUPERUSER = "postgres";

	private static final Logger log = LoggerFactory.getLogger(PostgresSupervisor.class);

	private static final List<String> SETPRIV = List.of("/usr/bin/setpriv", "/bin/setpriv");

	/**
	 * How often a start reads the server's status in its lock file: a file read, so it
	 * can be often.
	 */
	private static final long STATUS_POLL_MILLIS = 5;

	/**
	 * How often a start tries a connection while the lock file does not say the server
	 * accepts them.
	 */
	/** The most of the log a failure quotes from. */
	private static final int LOG_TAIL_BYTES = 64 * 1024;

	private static final Map<Integer, String> SIGNALS = Map.of(1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 6, "SIGABRT", 7,
			"SIGBUS", 8, "SIGFPE", 9, "SIGKILL", 11, "SIGSEGV", 13, "SIGPIPE", 15, "SIGTERM");

	private static final long CONNECT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

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

	private final Duration stopTimeout;

	private final Consumer<State> listener;

	private final AtomicReference<State> state = new AtomicReference<>(State.NOT_STARTED);

	/**
	 * The postmaster's parent: the parent-death signal fires when the thread that started
	 * a process ends, so that thread must live exactly as long as this supervisor.
	 */
	private final ExecutorService parent;

	private volatile String problem;

	private volatile boolean stopping;

	/**
	 * Written under this object's lock, read without it ({@link #pid()} must not wait for
	 * a stop).
	 */
	private volatile Process process;

	/**
	 * Where this start's output begins in the log file, which keeps earlier starts'
	 * output before it: a failure quotes only what this server wrote.
	 */
	private volatile long logStart;

	public PostgresSupervisor(PostgresInstall install, Path dataDir, int port, Duration stopTimeout,
			Consumer<State> listener) {
		this.install = install;
		this.dataDir = dataDir.toAbsolutePath();
		this.port = port;
		this.stopTimeout = stopTimeout;
		this.listener = listener;
		// a plain pool: its core thread never times out, and nothing shuts it down but
		// close()
		this.parent = Executors.newFixedThreadPool(1, (runnable) -> {
			Thread thread = new Thread(runnable, "pgext-postmaster-parent");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Stops a postmaster of this data directory that a previous loader left running (it
	 * was killed, or its Postgres had no parent-death signal), so that this loader's own
	 * server can take the data directory.
	 * @return the pid of the stopped postmaster, or empty when there was none
	 * @throws IllegalStateException when it could not be stopped
	 */
	public OptionalLong stopLeftover() {
		long own = pid();
		Optional<LeftoverPostmaster> leftover = LeftoverPostmaster.find(this.dataDir)
			.filter((postmaster) -> postmaster.pid() != own);
		if (leftover.isEmpty()) {
			return OptionalLong.empty();
		}
		long pid = leftover.get().pid();
		log.warn("A postmaster of {} is still running (pid {}), left by a previous loader; stopping it", this.dataDir,
				pid);
		if (!leftover.get().stop(this.stopTimeout)) {
			throw new IllegalStateException("the postmaster " + pid + " a previous loader left running on "
					+ this.dataDir + " could not be stopped");
		}
		log.info("The leftover postmaster {} of {} stopped", pid, this.dataDir);
		return OptionalLong.of(pid);
	}

	/**
	 * Runs {@code initdb} when the data directory is missing or empty; returns whether it
	 * did.
	 */
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
			// initdb removes what it created when it gets SIGTERM, so a loader killed
			// during initdb
			// leaves an empty data directory, not a half-initialised one
			Process initdb = Unprivileged.processBuilder(withParentDeathSignal(command, "TERM"))
				.redirectErrorStream(true)
				.start();
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

	/**
	 * Starts {@code postgres -D <data> -p <port> -c ...} and waits until it accepts
	 * connections.
	 */
	public void start(Map<String, String> settings, Duration timeout) {
		launch(settings);
		awaitConnections(timeout);
	}

	/** Starts {@code postgres -D <data> -p <port> -c ...} without waiting for it. */
	public synchronized void launch(Map<String, String> settings) {
		if (this.process != null) {
			throw new IllegalStateException("postgres was already started");
		}
		if (this.stopping) {
			throw new IllegalStateException("the loader is stopping; postgres is not started");
		}
		List<String> command = new ArrayList<>(List.of(this.install.binary("postgres").toString(), "-D",
				this.dataDir.toString(), "-p", Integer.toString(this.port)));
		settings.forEach((name, value) -> {
			command.add("-c");
			command.add(name + "=" + value);
		});
		this.logStart = logSize();
		ProcessBuilder builder = Unprivileged.processBuilder(withParentDeathSignal(command, "INT"))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
		try {
			this.process = this.parent.submit(builder::start).get();
		}
		catch (ExecutionException ex) {
			throw new UncheckedIOException("could not start postgres: " + ex.getCause().getMessage(),
					(ex.getCause() instanceof IOException io) ? io : new IOException(ex.getCause()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while starting postgres", ex);
		}
		move(EnumSet.of(State.NOT_STARTED), State.STARTING);
		this.process.onExit().thenAccept(this::exited);
	}

	/**
	 * {@code command} run through {@code setpriv --pdeathsig <signal>}: the kernel sends
	 * it that signal when the thread that started it dies, with this JVM even by SIGKILL
	 * (SIGINT is a postmaster's fast shutdown). Without setpriv the command runs as it
	 * is, and {@link #stopLeftover()} is the only guard.
	 */
	static List<String> withParentDeathSignal(List<String> command, String signal) {
		for (String setpriv : SETPRIV) {
			if (Files.isExecutable(Path.of(setpriv))) {
				List<String> wrapped = new ArrayList<>(List.of(setpriv, "--pdeathsig", signal, "--"));
				wrapped.addAll(command);
				return wrapped;
			}
		}
		return command;
	}

	/**
	 * Waits until the launched server accepts a connection; fails when it exits or the
	 * time is up. A connection counts only while this supervisor's process is alive and
	 * is the one the data directory's lock file names: a server left on the same port by
	 * someone else does not make this one {@code RUNNING}. The lock file's status line is
	 * read every few milliseconds and a connection is tried as soon as it says
	 * {@code ready} (what {@code pg_ctl -w} waits for), else every 25 ms: the start is
	 * seen a few milliseconds after it happens, not up to a poll interval later, and no
	 * connection is tried while the server is still starting up.
	 */
	public void awaitConnections(Duration timeout) {
		Process launched = this.process;
		if (launched == null) {
			throw new IllegalStateException("postgres was not started");
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		long lastAttempt = System.nanoTime() - CONNECT_POLL_NANOS;
		boolean triedOnceReady = false;
		String last = null;
		while (System.nanoTime() < deadline) {
			if (!launched.isAlive()) {
				// CRASHED before this start fails, not only once the exit callback ran
				exited(launched);
				throw new IllegalStateException(
						"postgres " + exit(launched.exitValue()) + " during start: " + logTail());
			}
			// as soon as the lock file says ready, then (should that attempt fail) at the
			// usual pace
			boolean ready = saysAccepting(launched);
			if (System.nanoTime() - lastAttempt < CONNECT_POLL_NANOS && (!ready || triedOnceReady)) {
				pause(STATUS_POLL_MILLIS);
				continue;
			}
			triedOnceReady |= ready;
			lastAttempt = System.nanoTime();
			try (Connection connection = connect("postgres")) {
				if (servesThisDataDirectory(connection) && launched.isAlive() && ownsLockFile(launched)) {
					if (!move(EnumSet.of(State.STARTING), State.RUNNING)) {
						throw new IllegalStateException("postgres " + this.state.get().name().toLowerCase(Locale.ROOT)
								+ " during start: " + String.valueOf(this.problem));
					}
					log.info("Postgres accepts connections on port {} (pid {})", this.port, launched.pid());
					return;
				}
				last = "a server answered on port " + this.port + " that is not this loader's postgres (pid "
						+ launched.pid() + ")";
			}
			catch (SQLException ex) {
				last = ex.getMessage();
			}
			pause(STATUS_POLL_MILLIS);
		}
		throw new IllegalStateException("postgres did not accept connections within " + timeout + ": "
				+ ((last != null) ? last : "") + "; " + logTail());
	}

	private boolean servesThisDataDirectory(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SHOW data_directory")) {
			if (!rows.next()) {
				return false;
			}
			Path served = Path.of(rows.getString(1));
			try {
				return Files.isSameFile(served, this.dataDir);
			}
			catch (IOException ex) {
				return served.toAbsolutePath().normalize().equals(this.dataDir.normalize());
			}
		}
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for postgres", ex);
		}
	}

	/**
	 * Whether the data directory's lock file names {@code launched} and says it accepts
	 * connections; {@code false} while it is not written yet or is another server's.
	 */
	private boolean saysAccepting(Process launched) {
		return lockFileOf(launched).map(PostmasterLockFile::accepting).orElse(false);
	}

	private boolean ownsLockFile(Process launched) {
		return lockFileOf(launched).isPresent();
	}

	/** The data directory's lock file when it names {@code launched}. */
	private Optional<PostmasterLockFile> lockFileOf(Process launched) {
		try {
			return PostmasterLockFile.read(this.dataDir).filter((lockFile) -> lockFile.pid() == launched.pid());
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * The launched process is gone: called by its exit callback, and by a start that saw
	 * it gone first; whichever comes first moves the state, the other finds nothing to
	 * do.
	 */
	private void exited(Process exited) {
		if (this.stopping) {
			move(EnumSet.of(State.STARTING, State.RUNNING), State.STOPPED);
			return;
		}
		Set<State> alive = EnumSet.of(State.STARTING, State.RUNNING);
		synchronized (this.state) {
			if (!alive.contains(this.state.get())) {
				return;
			}
			this.problem = "postgres " + exit(exited.exitValue()) + ": " + logTail();
			if (!move(alive, State.CRASHED)) {
				return;
			}
		}
		log.error("Postgres crashed: {}", this.problem);
	}

	/**
	 * The one place the state changes: from one of {@code from} to {@code to}, or not at
	 * all.
	 */
	private boolean move(Set<State> from, State to) {
		State previous;
		do {
			previous = this.state.get();
			if (!from.contains(previous)) {
				return false;
			}
		}
		while (!this.state.compareAndSet(previous, to));
		if (this.listener != null) {
			this.listener.accept(to);
		}
		return true;
	}

	/** A connection as the superuser over loopback. */
	public Connection connect(String database) throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + this.port + "/" + database, SUPERUSER, "");
	}

	public State state() {
		return this.state.get();
	}

	/** Why the server is down, or {@code null}. */
	public String problem() {
		return this.problem;
	}

	/** The process id, or -1 before start. */
	public long pid() {
		Process current = this.process;
		return (current != null) ? current.pid() : -1;
	}

	public Path logFile() {
		return this.dataDir.resolveSibling(this.dataDir.getFileName() + ".log");
	}

	/**
	 * The last lines this start wrote to the log (at most the last 64 KiB of them), or
	 * what stands in for them.
	 */
	private String logTail() {
		try (SeekableByteChannel channel = Files.newByteChannel(logFile())) {
			long from = Math.max(this.logStart, channel.size() - LOG_TAIL_BYTES);
			ByteBuffer bytes = ByteBuffer.allocate((int) Math.max(0, channel.size() - from));
			channel.position(from);
			while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
				// until the end as it was
			}
			List<String> lines = new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8).lines()
				.toList();
			if (lines.isEmpty()) {
				return "(nothing in its log since this start)";
			}
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
		}
		catch (IOException | RuntimeException ex) {
			return "(no log)";
		}
	}

	private long logSize() {
		try {
			return Files.size(logFile());
		}
		catch (IOException ex) {
			// no log yet (a first start), or none to read: quote from its start
			return 0;
		}
	}

	/**
	 * How a server process ended, by its exit status: a status above 128 is the signal
	 * that killed it, as the shell and the JDK report one (137: SIGKILL, from the
	 * kernel's out-of-memory killer or an operator).
	 */
	static String exit(int status) {
		if (status > 128 && status < 128 + 32) {
			int signal = status - 128;
			String name = SIGNALS.get(signal);
			return "was killed by signal " + signal + ((name != null) ? " (" + name + ")" : "") + ", exit status "
					+ status;
		}
		return "exited with " + status;
	}

	/**
	 * Fast shutdown (SIGINT), then a kill if it takes longer than the stop timeout; a
	 * server not started yet never will be. Ends the postmaster's parent thread last.
	 */
	@Override
	public synchronized void close() {
		this.stopping = true;
		try {
			if (this.process == null) {
				move(EnumSet.of(State.NOT_STARTED), State.STOPPED);
				return;
			}
			if (this.process.isAlive()) {
				PostgresProcesses.stopFast(this.process, this.stopTimeout);
			}
			try {
				this.process.onExit().get(10, TimeUnit.SECONDS);
			}
			catch (ExecutionException | TimeoutException ex) {
				log.warn("Postgres (pid {}) is still there after the stop", this.process.pid());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			move(EnumSet.of(State.STARTING, State.RUNNING), State.STOPPED);
		}
		finally {
			this.parent.shutdownNow();
		}
	}

}
