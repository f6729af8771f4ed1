package dev.pgext.loader;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.pgext.testsupport.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A loader without a compute spec is alive but not ready, says why in {@code /status},
 * and refuses requests that need a compute with a problem response.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "pgext.loader.s3.endpoint=http://127.0.0.1:9", "pgext.loader.s3.bucket=unused" })
class LoaderApplicationTests {

	@LocalServerPort
	int port;

	private LoaderClient loader;

	@BeforeEach
	void client() {
		this.loader = new LoaderClient(this.port);
	}

	@Test
	void isAliveButNotReadyUntilAComputeRuns() throws Exception {
		HttpResponse<String> liveness = this.loader.get("/actuator/health/liveness");
		assertThat(liveness.statusCode()).isEqualTo(200);
		assertThat(liveness.body()).contains("\"status\":\"UP\"");
		HttpResponse<String> readiness = this.loader.get("/actuator/health/readiness");
		assertThat(readiness.statusCode()).isEqualTo(503);
		assertThat(readiness.body()).contains("OUT_OF_SERVICE");
		assertThat(this.loader.get("/status").body()).contains("\"phase\":\"WAITING_FOR_SPEC\"");
	}

	@Test
	void aJitRequestBeforeAnySpecIsAConflictProblem() throws Exception {
		HttpResponse<String> response = this.loader.postJson("/extension_server/hstore.so?is_library=true", "");
		assertThat(response.statusCode()).isEqualTo(409);
		assertThat(response.body()).contains("https://pgext.dev/problems/compute-not-started");
	}

	@Test
	void anInvalidSpecIsABadRequestProblem() throws Exception {
		HttpResponse<String> response = this.loader.postJson("/compute/start", "{\"pg_major\": 9, \"port\": 0}");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("https://pgext.dev/problems/bad-request");
		assertThat(this.loader.get("/status").body()).contains("\"phase\":\"WAITING_FOR_SPEC\"");
	}

	@Test
	void aNeonSpecWithoutTheComputesLocalFactsIsABadRequestProblem() throws Exception {
		HttpResponse<String> response = this.loader.postJson("/compute/start", """
				{"spec": {"format_version": 1.0, "cluster": {"roles": [], "databases": [], "settings": []},
				          "remote_extensions": {"public_extensions": ["hstore"], "custom_extensions": null,
				                                "library_index": {"hstore": "hstore"}, "extension_data": {}}}}
				""");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("https://pgext.dev/problems/bad-request").contains("installDir");
		assertThat(this.loader.get("/status").body()).contains("\"phase\":\"WAITING_FOR_SPEC\"");
	}

	@Test
	void prometheusMetricsAreExported() throws Exception {
		HttpResponse<String> response = this.loader.get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("jvm_memory_used_bytes");
	}

	@Test
	void errorsAnsweredBeforeAnyControllerAreProblems() throws Exception {
		HttpResponse<String> unknownPath = this.loader.get("/no/such/path");
		HttpResponse<String> wrongMethod = this.loader.get("/compute/start");
		HttpResponse<String> wrongMediaType = this.loader.post("/compute/start", "text/plain", "pg_major=15");

		assertThat(List.of(unknownPath, wrongMethod, wrongMediaType)).extracting(HttpResponse::statusCode)
			.containsExactly(404, 405, 415);
		assertThat(List.of(unknownPath, wrongMethod, wrongMediaType)).allSatisfy((response) -> {
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(response.body()).contains("\"type\":\"https://pgext.dev/problems/");
		});
		assertThat(unknownPath.body()).contains("https://pgext.dev/problems/not-found");
		assertThat(wrongMethod.body()).contains("https://pgext.dev/problems/method-not-allowed");
		assertThat(wrongMediaType.body()).contains("https://pgext.dev/problems/unsupported-media-type");
	}

	@Test
	void requestsRefusedBeforeAnyControllerAreProblemsToo() throws Exception {
		// a form body Tomcat cannot decode, and a URL it refuses by itself
		String body = "x=%ZZ";
		RawHttp.Response undecodable = RawHttp.send(this.port,
				"POST /extension_server/hstore.control HTTP/1.1\r\nHost: 127.0.0.1\r\n"
						+ "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
						+ "\r\nConnection: close\r\n\r\n" + body);
		RawHttp.Response refused = RawHttp.send(this.port,
				"GET /extension_server/a%2Fb HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

		assertThat(List.of(undecodable, refused)).allSatisfy((response) -> {
			assertThat(response.status()).as(response.toString()).isEqualTo(400);
			assertThat(response.headers().get("content-type")).as(response.toString())
				.startsWith("application/problem+json");
			assertThat(response.text()).contains("\"type\":\"https://pgext.dev/problems/bad-request\"")
				.contains("\"status\":400");
		});
		assertThat(undecodable.text()).contains("the request parameters are not valid URL encoding");
	}

}
