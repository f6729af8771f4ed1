package dev.pgext.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The loader's HTTP API as every loader test calls it, whether the loader runs in the
 * test's JVM or as a child process: plain requests on 127.0.0.1, the response as the
 * client saw it.
 */
public final class LoaderClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	private final String base;

	private final Duration requestTimeout;

	/**
	 * A client that waits as long as the loader takes to answer (a JIT request waits for
	 * its download).
	 */
	public LoaderClient(int port) {
		this(port, null);
	}

	/** A client that gives up on a request after {@code requestTimeout}. */
	public LoaderClient(int port, Duration requestTimeout) {
		this.base = "http://127.0.0.1:" + port;
		this.requestTimeout = requestTimeout;
	}

	public HttpResponse<String> get(String path) {
		return send(request(path).GET());
	}

	/** A POST without a body, as Postgres's hook sends a JIT request. */
	public HttpResponse<String> post(String path) {
		return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
	}

	public HttpResponse<String> postJson(String path, String json) {
		return post(path, "application/json", json);
	}

	public HttpResponse<String> post(String path, String contentType, String body) {
		return send(request(path).header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
	}

	/** {@code GET /status} as JSON. */
	public JsonNode status() {
		return JSON.readTree(get("/status").body());
	}

	/** The compute's phase from {@code /status}. */
	public String phase() {
		return status().path("phase").asString("");
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path));
		return (this.requestTimeout != null) ? request.timeout(this.requestTimeout) : request;
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

}
