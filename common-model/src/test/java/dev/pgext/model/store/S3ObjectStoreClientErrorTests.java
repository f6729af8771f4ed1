package dev.pgext.model.store;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A store that refuses a request (a 4xx) is not a store that is down: the call is not
 * retried, the breaker does not count it, and a key S3 would refuse is never sent.
 */
class S3ObjectStoreClientErrorTests {

	private HttpServer server;

	private final AtomicInteger requests = new AtomicInteger();

	private S3ObjectStore store;

	private CircuitBreaker breaker;

	@BeforeEach
	void start() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			this.requests.incrementAndGet();
			byte[] body = "<Error><Code>KeyTooLongError</Code><Message>too long</Message></Error>"
				.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/xml");
			exchange.sendResponseHeaders(400, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
		URI endpoint = URI.create("http://127.0.0.1:" + this.server.getAddress().getPort());
		this.breaker = S3ObjectStore.circuitBreaker("test-store");
		this.store = S3ObjectStore
			.create(new ObjectStoreSettings(endpoint, null, "bucket", "key", "secret", true, 4, Duration.ofMillis(5),
					Duration.ofSeconds(5)))
			.withCircuitBreaker(this.breaker);
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	@Test
	void aRefusedWriteIsReportedOnceAsAClientErrorAndLeavesTheBreakerClosed() {
		for (int i = 0; i < 10; i++) {
			assertThatExceptionOfType(ObjectStoreException.class)
				.isThrownBy(() -> this.store.put("15/lib/x.so", new byte[] { 1 }, null))
				.satisfies((ex) -> assertThat(ex.isClientError()).isTrue());
		}
		assertThat(this.requests).as("one request per call: never retried").hasValue(10);
		assertThat(this.breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(this.breaker.getMetrics().getNumberOfFailedCalls()).isZero();
	}

	@Test
	void aKeyS3WouldRefuseIsNeverSent() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.store.put("15/share/extension/" + "x".repeat(300) + ".sql", new byte[] { 1 }, null))
			.withMessageContaining("at most 255");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.store.putIfAbsent("blobs/sha256/a\u0001b", new byte[] { 1 }, null))
			.withMessageContaining("control character");
		assertThat(this.requests).hasValue(0);
	}

	@Test
	void throttlingIsNotAClientError() {
		assertThat(new ObjectStoreException("slow down", 429, null).isClientError()).isFalse();
		assertThat(new ObjectStoreException("down", 503, null).isClientError()).isFalse();
		assertThat(new ObjectStoreException("no answer", 0, null).isClientError()).isFalse();
		assertThat(new ObjectStoreException("forbidden", 403, null).isClientError()).isTrue();
	}

}
