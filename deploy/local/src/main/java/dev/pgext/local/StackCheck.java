package dev.pgext.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import dev.pgext.model.json.DocumentJson;

/**
 * What "the local stack is up" means: every part answers. Before anything starts, each
 * part's port must be free; after the start, the stack waits until each part answers on
 * it (the S3 buckets exist, registry and importer health are UP, the loader reports its
 * compute running, the compute's Postgres takes a connection and a query), and names the
 * first part that does not, with its last answer, when the time is up or the part has
 * failed for good.
 */
final class StackCheck {

	/** Whether a part answers: empty when it does, else why not yet. */
	@FunctionalInterface
	interface Probe {

		Optional<String> problem() throws Exception;

	}

	/**
	 * A part that cannot come up any more (the loader gave up on its compute): no use
	 * waiting.
	 */
	static final class FailedForGood extends Exception {

		FailedForGood(String reason) {
			super(reason);
		}

	}

	/** One part of the stack, where it answers and how to ask it. */
	record Part(String name, String where, Probe probe) {

	}

	private static final JsonMapper JSON = DocumentJson.COMPACT;

	private static final Duration POLL = Duration.ofMillis(50);

	private final RestClient http = RestClient.builder()
		.requestFactory(ClientHttpRequestFactoryBuilder.jdk()
			.build(HttpClientSettings.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))))
		.build();

	/**
	 * Fails with the first of {@code ports} (part name to port) that cannot be bound on
	 * {@code address}: another program (or another local stack) listens there.
	 */
	static void requireFreePorts(String address, List<PortUse> ports) {
		for (PortUse use : ports) {
			try (ServerSocket socket = new ServerSocket()) {
				socket.bind(new InetSocketAddress(InetAddress.getByName(use.address(address)), use.port()));
			}
			catch (IOException ex) {
				throw new StackStartException(use.part(),
						"port %d on %s is already in use (%s); choose another with -D%s=<port>".formatted(use.port(),
								use.address(address), ex.getMessage(), use.property()));
			}
		}
	}

	/**
	 * A port a part needs: the property that moves it, and whether the part listens on
	 * loopback whatever the stack's bind address is.
	 */
	record PortUse(String part, int port, String property, boolean loopbackOnly) {

		String address(String bindAddress) {
			return this.loopbackOnly ? LocalStackSettings.LOOPBACK : bindAddress;
		}

	}

	/**
	 * Waits until every part answers, in order, within {@code timeout} in all.
	 * @throws StackStartException naming the first part that does not answer, and why
	 */
	void awaitAll(List<Part> parts, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		for (Part part : parts) {
			await(part, deadline, timeout);
		}
	}

	private void await(Part part, long deadline, Duration timeout) {
		String last = "no answer yet";
		while (true) {
			try {
				Optional<String> problem = part.probe().problem();
				if (problem.isEmpty()) {
					return;
				}
				last = problem.get();
			}
			catch (FailedForGood ex) {
				throw new StackStartException(part.name(), "failed at " + part.where() + ": " + ex.getMessage());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new StackStartException(part.name(), "interrupted while waiting for " + part.where());
			}
			catch (Exception ex) {
				last = ex.getClass().getSimpleName() + ((ex.getMessage() != null) ? ": " + ex.getMessage() : "");
			}
			if (System.nanoTime() > deadline) {
				throw new StackStartException(part.name(),
						"does not answer at %s after %d s: %s".formatted(part.where(), timeout.toSeconds(), last));
			}
			try {
				Thread.sleep(POLL.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new StackStartException(part.name(), "interrupted while waiting for " + part.where());
			}
		}
	}

	/** A service whose Actuator health at {@code baseUrl} must say UP. */
	Probe health(String baseUrl) {
		return () -> {
			Answer response = get(baseUrl + "/actuator/health");
			JsonNode status = JSON.readTree(response.body()).path("status");
			if (response.status() == 200 && "UP".equals(status.asString())) {
				return Optional.empty();
			}
			return Optional.of("health answers " + response.status() + " " + abbreviate(response.body()));
		};
	}

	/**
	 * The loader at {@code baseUrl}: its {@code /status} must report the compute running;
	 * a failed or stopped compute is final, with the loader's own reason.
	 */
	Probe loader(String baseUrl) {
		return () -> {
			Answer response = get(baseUrl + "/status");
			if (response.status() != 200) {
				return Optional.of("/status answers " + response.status());
			}
			JsonNode status = JSON.readTree(response.body());
			String phase = status.path("phase").asString();
			return switch (phase) {
				case "RUNNING" -> Optional.empty();
				case "FAILED", "STOPPED" -> throw new FailedForGood(
						"the compute is " + phase + ": " + status.path("problem").asString("no reason given"));
				default -> Optional.of("the compute is " + phase);
			};
		};
	}

	/**
	 * A PostgreSQL on loopback {@code port} that must take a connection as
	 * {@code postgres} and run a query.
	 */
	static Probe postgres(int port) {
		return () -> {
			Properties properties = new Properties();
			properties.setProperty("user", "postgres");
			properties.setProperty("connectTimeout", "5");
			properties.setProperty("socketTimeout", "5");
			try (Connection connection = DriverManager
				.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
					Statement sql = connection.createStatement()) {
				sql.execute("SELECT 1");
				return Optional.empty();
			}
			catch (SQLException ex) {
				return Optional.of(ex.getMessage());
			}
		};
	}

	/** What a part answered over HTTP. */
	private record Answer(int status, String body) {
	}

	private Answer get(String url) throws IOException {
		try {
			return this.http.get()
				.uri(URI.create(url))
				.exchange((request, response) -> new Answer(response.getStatusCode().value(),
						new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8)));
		}
		catch (ResourceAccessException ex) {
			// the network error itself, so that "no answer yet" names it as before
			if (ex.getCause() instanceof IOException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	private static String abbreviate(String body) {
		String flat = body.replaceAll("\\s+", " ").strip();
		return (flat.length() > 300) ? flat.substring(0, 300) + "..." : flat;
	}

}
