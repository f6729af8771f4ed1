package dev.pgext.bundle.publish;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.web.client.RestClient;

import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.model.Sha256Digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Registering retries what the registry may answer differently next time (5xx), stops at
 * what it will not (4xx), and gives up on a registry that does not answer within the
 * configured timeout.
 */
class RegistryClientTests {

	private static final RegistryClient.Registration REGISTRATION = new RegistryClient.Registration(
			Sha256Digest.of(new byte[] { 1 }), 1, Map.of("15", "15.19"), new BundleManifest(BundleManifest.FORMAT, null,
					null, 0, null, null, Map.of(), Map.of(), List.of(), null, List.of()),
			null);

	private final AtomicInteger requests = new AtomicInteger();

	private final CountDownLatch released = new CountDownLatch(1);

	private HttpServer registry;

	private final List<String> elsewhere = new CopyOnWriteArrayList<>();

	@BeforeEach
	void startRegistry() throws IOException {
		this.registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		// answers 503 twice, then registers
		this.registry.createContext("/flaky/api/v1/bundles",
				(exchange) -> respond(exchange, (this.requests.incrementAndGet() <= 2) ? 503 : 201));
		this.registry.createContext("/refusing/api/v1/bundles", (exchange) -> {
			this.requests.incrementAndGet();
			respond(exchange, 400);
		});
		this.registry.createContext("/stalled/api/v1/bundles", (exchange) -> {
			try {
				this.released.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			respond(exchange, 201);
		});
		// a registry that sends the registration elsewhere: 307 keeps the method and body
		this.registry.createContext("/moved/api/v1/bundles", (exchange) -> {
			exchange.getResponseHeaders()
				.add("Location", "http://127.0.0.1:" + this.registry.getAddress().getPort() + "/elsewhere");
			respond(exchange, 307);
		});
		this.registry.createContext("/elsewhere", (exchange) -> {
			this.elsewhere.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
			respond(exchange, 201);
		});
		this.registry.start();
	}

	@AfterEach
	void stopRegistry() {
		this.released.countDown();
		this.registry.stop(0);
	}

	private static void respond(HttpExchange exchange, int status) throws IOException {
		byte[] body = ("{\"status\":" + status + "}").getBytes();
		exchange.sendResponseHeaders(status, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	private RegistryClient client(String path, Duration timeout) {
		URI url = URI.create("http://127.0.0.1:" + this.registry.getAddress().getPort() + path);
		return new RegistryClient(RestClient.builder(), url, "token", timeout, Duration.ofMillis(10));
	}

	@Test
	void serverErrorsAreRetriedUntilTheRegistryTakesTheBundle() throws IOException {
		assertThat(client("/flaky", Duration.ofSeconds(10)).register(REGISTRATION))
			.isEqualTo(RegistryClient.Outcome.REGISTERED);
		assertThat(this.requests).hasValue(3);
	}

	@Test
	void aRefusalIsNotRetriedAndCarriesTheRegistrysAnswer() {
		assertThatExceptionOfType(RegistryClient.RegistryException.class)
			.isThrownBy(() -> client("/refusing", Duration.ofSeconds(10)).register(REGISTRATION))
			.withMessageContaining("failed with HTTP 400: {\"status\":400}");
		assertThat(this.requests).hasValue(1);
	}

	@Test
	void aRedirectIsARefusalAndTheTokenGoesNowhereElse() {
		assertThatExceptionOfType(RegistryClient.RegistryException.class)
			.isThrownBy(() -> client("/moved", Duration.ofSeconds(10)).register(REGISTRATION))
			.withMessageContaining("failed with HTTP 307");
		assertThat(this.elsewhere).isEmpty();
	}

	@Test
	void aRegistryThatDoesNotAnswerWithinTheTimeoutFailsThePublish() {
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> client("/stalled", Duration.ofMillis(300)).register(REGISTRATION))
			.withMessageContaining("/stalled/api/v1/bundles failed")
			.withRootCauseInstanceOf(HttpTimeoutException.class);
	}

}
