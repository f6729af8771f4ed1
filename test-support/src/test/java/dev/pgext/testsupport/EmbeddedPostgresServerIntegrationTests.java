package dev.pgext.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clusters of the embedded server are copies of one template cluster: each is a cluster
 * of its own, a throwaway one is removed when its server stops, and a kept one holds its
 * data across starts.
 */
class EmbeddedPostgresServerIntegrationTests {

	@Test
	void eachNewClusterIsAClusterOfItsOwnAndAKeptOneHoldsItsDataAcrossStarts(@TempDir Path dir) throws Exception {
		Path kept = dir.resolve("kept");
		List<Path> before = runs();
		try (EmbeddedPostgresServer throwaway = EmbeddedPostgresServer.start(null, 0)) {
			try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(kept, 0)) {
				execute(server, "CREATE TABLE only_here (id int)");
				execute(server, "INSERT INTO only_here VALUES (42)");
				assertThat(query(throwaway, "SELECT count(*) FROM pg_class WHERE relname = 'only_here'"))
					.isEqualTo("0");
			}
		}
		assertThat(kept.resolve("PG_VERSION")).isRegularFile();
		try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(kept, 0)) {
			assertThat(query(again, "SELECT id FROM only_here")).isEqualTo("42");
		}
		assertThat(runs()).as("the throwaway cluster is removed once its server stopped")
			.containsExactlyInAnyOrderElementsOf(before);
	}

	@Test
	void aKeptClustersServerThatAKilledJvmLeftRunningIsStoppedAndTheClusterStartsAgain(@TempDir Path dir)
			throws Exception {
		Path kept = dir.resolve("kept");
		List<String> command = new ArrayList<>(ChildJvm.command());
		command.addAll(List.of(KeptServer.class.getName(), kept.toString()));
		Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
		long leftover;
		try {
			BufferedReader output = new BufferedReader(
					new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
			String line;
			while ((line = output.readLine()) != null && !line.equals(KeptServer.READY)) {
				// the child's start-up output
			}
			assertThat(line).as("the child JVM's server started").isEqualTo(KeptServer.READY);
			leftover = PostgresCluster.lockFilePid(kept).orElseThrow();
		}
		finally {
			// SIGKILL: the JVM ends without stopping its server, whose postmaster goes on
			jvm.destroyForcibly().waitFor();
		}
		assertThat(ProcessHandle.of(leftover)).as("the killed JVM's postmaster still runs")
			.hasValueSatisfying((process) -> assertThat(process.isAlive()).isTrue());

		try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(kept, 0)) {
			assertThat(query(again, "SELECT id FROM only_here")).isEqualTo("7");
			assertThat(PostgresCluster.lockFilePid(kept)).isPresent().isNotEqualTo(Optional.of(leftover));
		}
		assertThat(ProcessHandle.of(leftover).filter(ProcessHandle::isAlive)).isEmpty();
	}

	/**
	 * A JVM that keeps a server on the cluster its argument names, with a row in it,
	 * until it is killed.
	 */
	static final class KeptServer {

		static final String READY = "kept server ready";

		public static void main(String[] args) throws Exception {
			EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]), 0);
			execute(server, "CREATE TABLE only_here (id int)");
			execute(server, "INSERT INTO only_here VALUES (7)");
			System.out.println(READY);
			System.out.flush();
			Thread.sleep(Long.MAX_VALUE);
		}

	}

	private static List<Path> runs() throws IOException {
		Path root = Path.of(System.getProperty("java.io.tmpdir"), "pgext-embedded-postgres");
		if (!Files.isDirectory(root)) {
			return List.of();
		}
		try (Stream<Path> entries = Files.list(root)) {
			return entries
				.filter((p) -> p.getFileName().toString().startsWith("run-" + ProcessHandle.current().pid() + "-"))
				.toList();
		}
	}

	private static void execute(EmbeddedPostgresServer server, String sql) throws Exception {
		try (Connection connection = DriverManager.getConnection(server.jdbcUrl("postgres"), server.username(), "");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private static String query(EmbeddedPostgresServer server, String sql) throws Exception {
		try (Connection connection = DriverManager.getConnection(server.jdbcUrl("postgres"), server.username(), "");
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(sql)) {
			assertThat(rows.next()).isTrue();
			return rows.getString(1);
		}
	}

}
