package dev.pgext.model.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A postmaster of a data directory that outlived the process that started it (a loader,
 * or the JVM of an embedded server, killed before it could stop it). It is found through
 * the data directory's {@code postmaster.pid}: the pid on its first line must be alive,
 * the data directory on its second line must be this one, and {@code /proc/<pid>/cmdline}
 * must be a {@code postgres} program naming this data directory, so that a reused pid of
 * another program is never signalled. A lock file whose process is gone is left to
 * Postgres, which replaces it itself.
 *
 * @param pid the postmaster's process id
 * @param process its handle
 */
public record LeftoverPostmaster(long pid, ProcessHandle process) {

	private static final Logger log = LoggerFactory.getLogger(LeftoverPostmaster.class);

	/** The live postmaster of {@code dataDir}, if its lock file names one. */
	public static Optional<LeftoverPostmaster> find(Path dataDir) {
		PostmasterLockFile lockFile;
		try {
			Optional<PostmasterLockFile> read = PostmasterLockFile.read(dataDir);
			if (read.isEmpty()) {
				return Optional.empty();
			}
			lockFile = read.get();
		}
		catch (IOException ex) {
			log.warn("Cannot read {}: {}", dataDir.resolve(PostmasterLockFile.NAME), ex.getMessage());
			return Optional.empty();
		}
		if (lockFile.dataDirectory().isEmpty() || !sameDirectory(Path.of(lockFile.dataDirectory()), dataDir)) {
			return Optional.empty();
		}
		long pid = lockFile.pid();
		return ProcessHandle.of(pid)
			.filter(ProcessHandle::isAlive)
			.filter((process) -> isPostgresOf(pid, dataDir))
			.map((process) -> new LeftoverPostmaster(pid, process));
	}

	/**
	 * Stops it as an operator would: a fast shutdown (SIGINT) and up to {@code timeout}
	 * for it, then an immediate shutdown (SIGQUIT) and a few seconds, then SIGKILL.
	 * @return whether it is gone
	 */
	public boolean stop(Duration timeout) {
		if (signalAndWait("INT", timeout)) {
			return true;
		}
		log.warn("Postmaster {} did not finish a fast shutdown within {}; sending SIGQUIT", this.pid, timeout);
		if (signalAndWait("QUIT", Duration.ofSeconds(10))) {
			return true;
		}
		log.warn("Postmaster {} ignored SIGQUIT; killing it", this.pid);
		this.process.destroyForcibly();
		return await(Duration.ofSeconds(10));
	}

	private boolean signalAndWait(String signal, Duration timeout) {
		try {
			new ProcessBuilder("kill", "-" + signal, Long.toString(this.pid)).redirectErrorStream(true)
				.start()
				.waitFor();
		}
		catch (IOException ex) {
			log.warn("Cannot signal postmaster {}: {}", this.pid, ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		return await(timeout);
	}

	private boolean await(Duration timeout) {
		try {
			this.process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (TimeoutException ex) {
			return !this.process.isAlive();
		}
		catch (ExecutionException ex) {
			return !this.process.isAlive();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static boolean isPostgresOf(long pid, Path dataDir) {
		try {
			byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
			List<String> args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
			if (args.isEmpty() || !Path.of(args.get(0)).getFileName().toString().equals("postgres")) {
				return false;
			}
			int d = args.indexOf("-D");
			return d >= 0 && d + 1 < args.size() && sameDirectory(Path.of(args.get(d + 1)), dataDir);
		}
		catch (IOException | RuntimeException ex) {
			// no /proc (not Linux) or the process is gone: nothing to stop
			return false;
		}
	}

	private static boolean sameDirectory(Path a, Path b) {
		try {
			return Files.isSameFile(a, b);
		}
		catch (IOException ex) {
			return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
		}
	}

}
