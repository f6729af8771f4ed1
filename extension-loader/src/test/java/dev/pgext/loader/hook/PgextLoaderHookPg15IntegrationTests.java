package dev.pgext.loader.hook;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgext.loader.DataDirectories;
import dev.pgext.loader.TestStores;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The hook built against PostgreSQL 15's headers, loaded into the PostgreSQL 15 binaries;
 * and the cases that do not depend on the major, run once: an extension published after
 * the start, a loader that is down or silent, and a loader name that resolves to several
 * addresses.
 */
@HookMajor(PgextLoaderHookPg15IntegrationTests.MAJOR)
class PgextLoaderHookPg15IntegrationTests extends PgextLoaderHookIntegrationTests {

	static final int MAJOR = 15;

	private static HookCompute compute;

	@DynamicPropertySource
	static void compute(DynamicPropertyRegistry registry) throws IOException {
		compute = HookCompute.prepare(MAJOR, PgextLoaderHookPg15IntegrationTests.class, registry);
	}

	@Override
	HookCompute compute() {
		return compute;
	}

	@Test
	void anExtensionPublishedAfterTheComputeStartedCanBeCreatedWithoutARestart() throws Exception {
		S3ObjectStore store = compute.bucket.objectStore();
		ExtIndex index = ExtIndexJson
			.read(store.getBytes(StoreLayout.extIndex(Scope.PUBLIC, compute.major)).orElseThrow());
		ContribExtension citext = ContribExtension.of(PostgresInstalls.shared(MAJOR), HookCompute.LATER);
		for (Path file : citext.files().values()) {
			store.put(StoreLayout.blob(Sha256Digest.of(file)), file, "application/octet-stream");
		}
		List<ExtIndexEntry> entries = new ArrayList<>(index.extensions());
		entries.add(TestStores.entry(citext));
		store.put(StoreLayout.extIndex(Scope.PUBLIC, compute.major),
				ExtIndexJson.write(ExtIndex.of(compute.major, null, entries)), "application/json");

		try (Connection connection = compute.connect(); Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION citext");
			assertThat(value(sql, "SELECT 'PgExt'::citext = 'pgext'")).isEqualTo("t");
		}
	}

	@Test
	void aLoaderThatIsDownGivesAClearErrorAtOnce() throws Exception {
		int closedPort = FreePorts.any();
		try (Connection connection = compute.connect(); Statement sql = connection.createStatement()) {
			sql.execute("SET statement_timeout = '30s'");
			sql.execute("SET pgext_loader.server = '127.0.0.1:" + closedPort + "'");
			assertThatExceptionOfType(PSQLException.class).isThrownBy(() -> sql.execute("CREATE EXTENSION pg_nothere"))
				.satisfies((ex) -> {
					assertThat(ex.getSQLState()).isEqualTo("PX003");
					assertThat(ex.getServerErrorMessage().getMessage())
						.isEqualTo("extension loader at \"127.0.0.1:" + closedPort + "\" is unreachable");
					assertThat(ex.getServerErrorMessage().getDetail())
						.isEqualTo("127.0.0.1: connect: Connection refused");
				});
		}
	}

	@Test
	void aLoaderThatNeverAnswersTimesOutAndTheWaitIsVisible() throws Exception {
		try (ServerSocket silent = new ServerSocket(0);
				Connection watcher = compute.connect();
				Connection connection = compute.connect();
				Statement sql = connection.createStatement()) {
			sql.execute("SET statement_timeout = '30s'");
			sql.execute("SET pgext_loader.server = '127.0.0.1:" + silent.getLocalPort() + "'");
			sql.execute("SET pgext_loader.timeout = '3s'");
			CompletableFuture<SQLException> failure = CompletableFuture.supplyAsync(() -> {
				try {
					sql.execute("CREATE EXTENSION pg_silent");
					return null;
				}
				catch (SQLException ex) {
					return ex;
				}
			});
			await("the CREATE EXTENSION waits on the loader").atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> waitEventOfTheCreate(watcher), "Extension/Extension"::equals);
			SQLException ex = failure.get(60, TimeUnit.SECONDS);
			assertThat((Throwable) ex).isInstanceOf(PSQLException.class);
			assertThat(ex.getSQLState()).isEqualTo("PX003");
			assertThat(((PSQLException) ex).getServerErrorMessage().getDetail())
				.isEqualTo("no answer within 3000 ms (pgext_loader.timeout)");
		}
	}

	/**
	 * {@code localhost} resolving to {@code ::1} first, then {@code 127.0.0.1}, with the
	 * loader listening on 127.0.0.1 only: the first address refuses, the second takes the
	 * request. A second Postgres on the compute's installation runs in its own mount
	 * namespace, where such an {@code /etc/hosts} is bound over the machine's.
	 */
	@Test
	void theHookTriesEveryAddressTheLoaderNameResolvesTo() throws Exception {
		assertThatExceptionOfType(ConnectException.class).as("the loader refuses connections on ::1").isThrownBy(() -> {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("::1", compute.loaderPort), 2000);
			}
		});
		Path hosts = compute.root.resolve("hosts");
		Files.writeString(hosts, "::1 localhost\n127.0.0.1 localhost\n");
		assertThat(runWithHosts(hosts, List.of("getent", "ahosts", "localhost"))).as("how localhost resolves there")
			.startsWith("::1 ");

		Path data = DataDirectories.copy(compute.major, compute.root.resolve("second-data"));
		int port = FreePorts.any();
		Process postgres = new ProcessBuilder(withHosts(hosts,
				List.of(compute.install.binary("postgres").toString(), "-D", data.toString(), "-p",
						Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
						"-c", "fsync=off", "-c", "shared_preload_libraries=pgext_loader", "-c",
						"pgext_loader.server=localhost:" + compute.loaderPort)))
			.redirectErrorStream(true)
			.redirectOutput(compute.root.resolve("second-data.log").toFile())
			.start();
		try {
			String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
			await("the second Postgres accepts connections").atMost(Duration.ofMinutes(1))
				.pollInterval(Duration.ofMillis(100))
				.ignoreExceptions()
				.until(() -> {
					try (Connection probe = DriverManager.getConnection(url, "postgres", "")) {
						return true;
					}
				});
			int before = this.requests.count();
			try (Connection connection = DriverManager.getConnection(url, "postgres", "");
					Statement sql = connection.createStatement()) {
				sql.execute("CREATE EXTENSION isn");
				assertThat(value(sql, "SELECT isn_weak()")).isEqualTo("f");
				assertThat(this.requests.count()).isEqualTo(before + 1);

				int closedPort = FreePorts.any();
				sql.execute("SET pgext_loader.server = 'localhost:" + closedPort + "'");
				assertThatExceptionOfType(PSQLException.class)
					.isThrownBy(() -> sql.execute("CREATE EXTENSION pg_nothere"))
					.satisfies((ex) -> {
						assertThat(ex.getSQLState()).isEqualTo("PX003");
						assertThat(ex.getServerErrorMessage().getDetail())
							.isEqualTo("::1: connect: Connection refused; 127.0.0.1: connect: Connection refused");
					});
			}
		}
		finally {
			postgres.destroy();
			if (!postgres.waitFor(30, TimeUnit.SECONDS)) {
				postgres.destroyForcibly().waitFor();
			}
		}
	}

	/**
	 * {@code command} (not as root) in a mount namespace where {@code hosts} is
	 * {@code /etc/hosts}.
	 */
	private static List<String> withHosts(Path hosts, List<String> command) {
		List<String> wrapped = new ArrayList<>(List.of("unshare", "--user", "--map-root-user", "--mount", "--", "sh",
				"-c", "mount --bind \"$0\" /etc/hosts && exec unshare --user -- \"$@\"", hosts.toString()));
		wrapped.addAll(command);
		return wrapped;
	}

	private static String runWithHosts(Path hosts, List<String> command) throws Exception {
		return run(withHosts(hosts, command));
	}

	private static String run(List<String> command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		process.getOutputStream().close();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as("%s:%n%s", command, output).isZero();
		return output;
	}

	private static String waitEventOfTheCreate(Connection watcher) throws SQLException {
		try (Statement sql = watcher.createStatement();
				ResultSet rows = sql.executeQuery("SELECT wait_event_type || '/' || wait_event FROM pg_stat_activity "
						+ "WHERE query = 'CREATE EXTENSION pg_silent' AND wait_event IS NOT NULL")) {
			return rows.next() ? rows.getString(1) : "not seen";
		}
	}

}
