package dev.pgext.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import com.sun.net.httpserver.HttpServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.pgext.model.store.ObjectStoreException;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The retry policy of {@link S3ObjectStore}: an S3 endpoint that answers with chosen
 * status codes shows which failures are retried and how often.
 */
class ObjectStoreRetryTests {

	private HttpServer server;

	private final AtomicInteger requests = new AtomicInteger();

	private S3ObjectStore storeAnswering(IntUnaryOperator statusForRequest) throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			int n = this.requests.incrementAndGet();
			int status = statusForRequest.applyAsInt(n);
			byte[] body = (status == 200) ? "payload".getBytes(StandardCharsets.UTF_8)
					: ("<Error><Code>" + ((status == 503) ? "SlowDown" : "Failure") + "</Code><Message>injected"
							+ "</Message></Error>")
						.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders()
				.add("Content-Type", (status == 200) ? "application/octet-stream" : "application/xml");
			exchange.getResponseHeaders().add("ETag", "\"abc\"");
			exchange.sendResponseHeaders(status, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
		URI endpoint = URI.create("http://127.0.0.1:" + this.server.getAddress().getPort());
		return S3ObjectStore.create(new ObjectStoreSettings(endpoint, null, "bucket", "key", "secret", true, 4,
				Duration.ofMillis(5), Duration.ofSeconds(5)));
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop(0);
		}
	}

	@Test
	void throttlingIsRetriedUntilTheCallSucceeds() throws IOException {
		S3ObjectStore store = storeAnswering((n) -> (n <= 2) ? 503 : 200);
		assertThat(store.getBytes("k")).map(String::new).contains("payload");
		assertThat(this.requests).hasValue(3);
	}

	@Test
	void serverErrorsAreRetriedUpToTheLimitThenReported() throws IOException {
		S3ObjectStore store = storeAnswering((n) -> 500);
		assertThatExceptionOfType(ObjectStoreException.class).isThrownBy(() -> store.getBytes("k"))
			.satisfies((ex) -> assertThat(ex.statusCode()).isEqualTo(500))
			.withMessageContaining("get k");
		assertThat(this.requests).hasValue(4);
	}

	@Test
	void clientErrorsAreNeverRetried() throws IOException {
		S3ObjectStore store = storeAnswering((n) -> 403);
		assertThatExceptionOfType(ObjectStoreException.class).isThrownBy(() -> store.put("k", new byte[] { 1 }, null))
			.satisfies((ex) -> assertThat(ex.statusCode()).isEqualTo(403));
		assertThat(this.requests).hasValue(1);
	}

	@Test
	void aFailingEndpointOpensTheCircuitBreakerSoLaterCallsFailFast() throws IOException {
		CircuitBreaker breaker = CircuitBreaker.of("s3",
				CircuitBreakerConfig.custom()
					.slidingWindowSize(2)
					.minimumNumberOfCalls(2)
					.failureRateThreshold(50)
					.recordException(S3ObjectStore::isRetryable)
					.build());
		S3ObjectStore store = storeAnswering((n) -> 500).withCircuitBreaker(breaker);
		for (int i = 0; i < 2; i++) {
			assertThatExceptionOfType(ObjectStoreException.class).isThrownBy(() -> store.getBytes("k"))
				.satisfies((ex) -> assertThat(ex.statusCode()).isEqualTo(500));
		}
		int requestsWhileClosed = this.requests.get();
		assertThatExceptionOfType(ObjectStoreException.class).isThrownBy(() -> store.getBytes("k"))
			.withMessageContaining("not attempted");
		assertThat(this.requests).hasValue(requestsWhileClosed);
		assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
	}

	@Test
	void aFailedConditionIsAnAnswerNotAnError() throws IOException {
		S3ObjectStore store = storeAnswering((n) -> 412);
		assertThat(store.putIfAbsent("k", new byte[] { 1 }, null)).isEmpty();
		assertThat(this.requests).hasValue(1);
	}

}
