package dev.pgext.local;

import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local stack the README starts: the registry seeded with real contrib extensions, a
 * compute whose Postgres has {@code pg_stat_statements} preloaded and gets {@code hstore} on
 * demand, every metric the Grafana dashboard queries exported by a running service, and a
 * second start that finds everything again.
 */
class LocalStackIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void theWholeSuiteStartsServesAComputeAndRestartsOnItsData(@TempDir Path data) throws Exception {
		LocalStack.Ports ports = new LocalStack.Ports(freePort(), freePort(), freePort(), freePort(), freePort());
		LocalStack stack = new LocalStack(data, ports);
		try {
			stack.start();
			assertThat(get(ports.registry(), "/actuator/health")).contains("\"status\":\"UP\"");
			assertThat(get(ports.importer(), "/actuator/health")).contains("\"status\":\"UP\"");
			assertThat(get(ports.registry(), "/api/v1/search?q=hstore")).contains("hstore");
			awaitReady(ports.loader());
			try (Connection connection = connect(ports); Statement sql = connection.createStatement()) {
				try (ResultSet rows = sql.executeQuery("SHOW shared_preload_libraries")) {
					rows.next();
					assertThat(rows.getString(1)).contains("pg_stat_statements");
				}
				sql.execute("CREATE EXTENSION hstore");
				try (ResultSet rows = sql.executeQuery("SELECT ('a=>1'::hstore) -> 'a'")) {
					rows.next();
					assertThat(rows.getString(1)).isEqualTo("1");
				}
			}
			String exported = get(ports.registry(), "/actuator/prometheus") + get(ports.loader(), "/actuator/prometheus")
					+ get(ports.importer(), "/actuator/prometheus");
			assertThat(DeploymentManifestsTests.dashboardMetrics()).isNotEmpty()
				.allSatisfy((metric) -> assertThat(exported).as("exported by a running service")
					.containsPattern("(?m)^" + metric + "[{ ]"));
		}
		finally {
			stack.stop();
		}
		String token = Files.readString(data.resolve("admin-token"));
		assertThat(data.resolve("seeded")).exists();

		LocalStack again = new LocalStack(data, ports);
		try {
			again.start();
			awaitReady(ports.loader());
			assertThat(Files.readString(data.resolve("admin-token"))).isEqualTo(token);
			try (Connection connection = connect(ports); Statement sql = connection.createStatement();
					ResultSet rows = sql.executeQuery("SELECT ('b=>2'::hstore) -> 'b'")) {
				rows.next();
				assertThat(rows.getString(1)).isEqualTo("2");
			}
		}
		finally {
			again.stop();
		}
	}

	private void awaitReady(int loaderPort) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
		while (System.nanoTime() < deadline) {
			HttpResponse<String> response = this.http.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + loaderPort + "/actuator/health/readiness"))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() == 200) {
				return;
			}
			Thread.sleep(200);
		}
		throw new AssertionError("the compute did not become ready: " + get(loaderPort, "/status"));
	}

	private String get(int port, String path) throws Exception {
		return this.http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private static Connection connect(LocalStack.Ports ports) throws Exception {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + ports.compute() + "/postgres", "postgres",
				"");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
