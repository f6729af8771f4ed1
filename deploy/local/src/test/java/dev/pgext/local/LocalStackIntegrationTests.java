package dev.pgext.local;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.local.LocalStackSettings.Ports;
import dev.pgext.testsupport.FreePorts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The local stack the README starts, twice side by side on one machine with their own
 * ports and data: each is up only once its compute takes connections, its registry is
 * seeded with real contrib extensions, its compute has {@code pg_stat_statements}
 * preloaded and gets {@code hstore} on demand, its registry and importer listen on
 * loopback only, every service logs under its own name, every metric the Grafana
 * dashboard queries is exported, stopping one leaves the other running, a compute that
 * cannot start is reported as such with its port and reason, and a second start finds
 * everything again.
 */
class LocalStackIntegrationTests {

	/** A search hit named pg_trgm. */
	private static final String NAMED_PG_TRGM = "\"name\"\\s*:\\s*\"pg_trgm\"";

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void twoStacksRunSideBySideAndEachRestartsOnItsOwnData(@TempDir Path firstData, @TempDir Path secondData)
			throws Exception {
		Ports firstPorts = freePorts();
		Ports secondPorts = freePorts();
		LocalStack first = new LocalStack(LocalStackSettings.defaults(firstData, firstPorts));
		// the second seeds what its checks use (and the preloaded pg_stat_statements)
		LocalStack second = new LocalStack(
				LocalStackSettings.defaults(secondData, secondPorts).withSeed(List.of("hstore")));
		TaggedLines.startRecording();
		try {
			first.start();
			TaggedLines.stopRecording();
			second.start();

			for (Ports ports : List.of(firstPorts, secondPorts)) {
				// start() returned: the compute takes connections now, no waiting
				assertThat(query(ports, "SHOW shared_preload_libraries")).contains("pg_stat_statements");
				assertThat(get(ports.registry(), "/actuator/health")).contains("\"status\":\"UP\"");
				assertThat(get(ports.importer(), "/actuator/health")).contains("\"status\":\"UP\"");
				// the loader verified the registry's signed manifest with the stack's own
				// key
				assertThat(get(ports.loader(), "/actuator/health"))
					.containsPattern("\"metadataTrust\":\\{\"details\":\\{\"verifying\":true\\},\"status\":\"UP\"");
				assertThat(get(ports.registry(), "/api/v1/search?q=hstore")).contains("hstore");
				execute(ports, "CREATE EXTENSION hstore");
				assertThat(query(ports, "SELECT ('a=>1'::hstore) -> 'a'")).isEqualTo("1");
			}
			assertThat(get(firstPorts.registry(), "/api/v1/search?q=pg_trgm")).containsPattern(NAMED_PG_TRGM);
			assertThat(get(secondPorts.registry(), "/api/v1/search?q=pg_trgm")).doesNotContainPattern(NAMED_PG_TRGM);
			assertThat(Files.readString(secondData.resolve("seeded")).strip()).isEqualTo("2");
			assertThat(Files.readString(firstData.resolve("admin-token")))
				.isNotEqualTo(Files.readString(secondData.resolve("admin-token")));
			assertThat(Files.readString(firstData.resolve("signing.pem.pub")))
				.isNotEqualTo(Files.readString(secondData.resolve("signing.pem.pub")));

			Optional<InetAddress> external = nonLoopbackAddress();
			if (external.isPresent()) {
				for (int port : List.of(firstPorts.registry(), firstPorts.importer(), firstPorts.loader(),
						firstPorts.compute())) {
					assertThatExceptionOfType(ConnectException.class).as("port %d from %s", port, external.get())
						.isThrownBy(() -> new Socket(external.get(), port).close());
				}
			}

			assertThat(TaggedLines.taggedWith("registry-api"))
				.anyMatch((l) -> l.contains("port " + firstPorts.registry()));
			assertThat(TaggedLines.taggedWith("pgdata-importer"))
				.anyMatch((l) -> l.contains("port " + firstPorts.importer()));
			assertThat(TaggedLines.taggedWith("extension-loader"))
				.anyMatch((l) -> l.contains("port " + firstPorts.loader()))
				.anyMatch((l) -> l.contains("Compute started"));
			assertThat(TaggedLines.taggedWith("local-stack")).anyMatch((l) -> l.startsWith("seeding 10/"));

			String exported = get(firstPorts.registry(), "/actuator/prometheus")
					+ get(firstPorts.loader(), "/actuator/prometheus")
					+ get(firstPorts.importer(), "/actuator/prometheus");
			assertThat(DeploymentManifestsTests.dashboardMetrics()).isNotEmpty()
				.allSatisfy((metric) -> assertThat(exported).as("exported by a running service")
					.containsPattern("(?m)^" + metric + "[{ ]"));

			second.stop();
			assertThat(query(firstPorts, "SELECT ('b=>2'::hstore) -> 'b'")).isEqualTo("2");
		}
		finally {
			TaggedLines.stopRecording();
			second.stop();
			first.stop();
		}
		String token = Files.readString(firstData.resolve("admin-token"));
		assertThat(firstData.resolve("seeded")).exists();

		// a compute that cannot start: the stack names it, with the port and Postgres'
		// reason, and stops
		Files.delete(secondData.resolve("compute/pgdata/PG_VERSION"));
		LocalStack broken = new LocalStack(LocalStackSettings.defaults(secondData, secondPorts));
		assertThatExceptionOfType(StackStartException.class).isThrownBy(broken::start)
			.satisfies((ex) -> assertThat(ex.part()).isEqualTo("compute"))
			.withMessageContaining("127.0.0.1:" + secondPorts.compute())
			.withMessageContaining("PG_VERSION");
		assertThatNoException().as("everything stopped, every port free again")
			.isThrownBy(() -> StackCheck.requireFreePorts("127.0.0.1",
					List.of(new StackCheck.PortUse("registry", secondPorts.registry(), "r", true),
							new StackCheck.PortUse("loader", secondPorts.loader(), "l", true),
							new StackCheck.PortUse("compute", secondPorts.compute(), "c", true))));

		LocalStack again = new LocalStack(LocalStackSettings.defaults(firstData, firstPorts));
		try {
			again.start();
			assertThat(Files.readString(firstData.resolve("admin-token"))).isEqualTo(token);
			assertThat(query(firstPorts, "SELECT ('c=>3'::hstore) -> 'c'")).isEqualTo("3");
		}
		finally {
			again.stop();
		}
	}

	private String get(int port, String path) throws Exception {
		return this.http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private static String query(Ports ports, String sql) throws Exception {
		try (Connection connection = connect(ports);
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			return rows.getString(1);
		}
	}

	private static void execute(Ports ports, String sql) throws Exception {
		try (Connection connection = connect(ports); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private static Connection connect(Ports ports) throws Exception {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + ports.compute() + "/postgres", "postgres",
				"");
	}

	/** An address of this machine other than loopback, when it has one. */
	private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
		return NetworkInterface.networkInterfaces().filter((i) -> {
			try {
				return i.isUp() && !i.isLoopback();
			}
			catch (IOException ex) {
				return false;
			}
		}).flatMap(NetworkInterface::inetAddresses).filter((a) -> a instanceof Inet4Address).findFirst();
	}

	/**
	 * Free loopback ports, none of them handed out before to this or another test JVM.
	 */
	static Ports freePorts() {
		return new Ports(FreePorts.any(), FreePorts.any(), FreePorts.any(), FreePorts.any(), FreePorts.any());
	}

}
