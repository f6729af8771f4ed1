package dev.pgext.loader;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compute whose start-up fails (here: the store does not answer) says so with the reason in
 * {@code /status} and health, stays not ready, and refuses a second spec.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "pgext.loader.s3.endpoint=http://127.0.0.1:9", "pgext.loader.s3.bucket=unreachable",
				"pgext.loader.s3.access-key=x", "pgext.loader.s3.secret-key=y" })
class ComputeStartFailureTests {

	private static final String SPEC = """
			{"pg_major": 15, "install_dir": "/nonexistent/install", "data_dir": "/nonexistent/data", "port": 5999}
			""";

	@LocalServerPort
	int port;

	private final HttpClient client = HttpClient.newHttpClient();

	@Test
	void aFailedStartIsReportedAndASecondSpecIsRefused() throws Exception {
		HttpResponse<String> accepted = post("/compute/start", SPEC);
		assertThat(accepted.statusCode()).isEqualTo(202);
		assertThat(accepted.headers().firstValue("Location")).hasValue("/status");

		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		String status = get("/status").body();
		while (!status.contains("\"phase\":\"FAILED\"") && System.nanoTime() < deadline) {
			Thread.sleep(100);
			status = get("/status").body();
		}
		assertThat(status).contains("\"phase\":\"FAILED\"").contains("start-up failed");
		HttpResponse<String> health = get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(503);
		assertThat(health.body()).contains("start-up failed");
		assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(503);

		HttpResponse<String> again = post("/compute/start", SPEC);
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(again.body()).contains("https://pgext.dev/problems/compute-already-started");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String json) throws Exception {
		return this.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
