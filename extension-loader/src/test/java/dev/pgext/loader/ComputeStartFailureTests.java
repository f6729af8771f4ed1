package dev.pgext.loader;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compute whose start-up fails (here: the store does not answer) says so with the
 * reason in {@code /status} and health, stays not ready, refuses a second spec, and
 * reports itself not live, so that its supervisor restarts it. The store's retries wait
 * 10 ms before the first retry instead of 200 ms: the same attempts, without three
 * seconds of backoff.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "pgext.loader.s3.endpoint=http://127.0.0.1:9", "pgext.loader.s3.bucket=unreachable",
				"pgext.loader.s3.access-key=x", "pgext.loader.s3.secret-key=y",
				"pgext.loader.s3.initial-backoff=10ms" })
class ComputeStartFailureTests {

	private static final String SPEC = """
			{"pg_major": 15, "install_dir": "/nonexistent/install", "data_dir": "/nonexistent/data", "port": 5999}
			""";

	@LocalServerPort
	int port;

	@Test
	void aFailedStartIsReportedAndASecondSpecIsRefused() {
		LoaderClient loader = new LoaderClient(this.port);
		HttpResponse<String> accepted = loader.postJson("/compute/start", SPEC);
		assertThat(accepted.statusCode()).isEqualTo(202);
		assertThat(accepted.headers().firstValue("Location")).hasValue("/status");

		String status = Awaitility.await("the start-up to fail")
			.atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> loader.get("/status").body(), (body) -> body.contains("\"phase\":\"FAILED\""));
		assertThat(status).contains("\"phase\":\"FAILED\"").contains("start-up failed");
		HttpResponse<String> health = loader.get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(503);
		assertThat(health.body()).contains("start-up failed");
		assertThat(loader.get("/actuator/health/readiness").statusCode()).isEqualTo(503);
		// nothing in this loader brings the compute back: liveness asks for a restart
		HttpResponse<String> liveness = loader.get("/actuator/health/liveness");
		assertThat(liveness.statusCode()).isEqualTo(503);
		assertThat(liveness.body()).contains("\"status\":\"DOWN\"");

		HttpResponse<String> again = loader.postJson("/compute/start", SPEC);
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(again.body()).contains("https://pgext.dev/problems/compute-already-started");
	}

}
