package dev.pgext.cli.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.model.json.DocumentJson;

/**
 * The registry's HTTP API as the commands use it, on the JDK's {@link HttpClient}. A 2xx
 * answer is returned; any other becomes a {@link RegistryProblemException} with the
 * problem's title, detail and type; a registry that cannot be reached becomes exit code
 * {@link ExitCode#NETWORK}.
 */
public final class RegistryClient {

	/** JSON as the registry writes it. */
	public static final JsonMapper JSON = DocumentJson.COMPACT;

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

	private final String baseUrl;

	private final String token;

	private final HttpClient http;

	public RegistryClient(String baseUrl, String token) {
		this.baseUrl = baseUrl;
		this.token = token;
		this.http = HttpClient.newBuilder()
			.connectTimeout(CONNECT_TIMEOUT)
			.followRedirects(HttpClient.Redirect.NORMAL)
			.build();
	}

	public String baseUrl() {
		return this.baseUrl;
	}

	public boolean hasToken() {
		return this.token != null;
	}

	/** {@code text} encoded for a query parameter or a path segment. */
	public static String encode(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/** {@code GET path}, its JSON answer. */
	public JsonNode get(String path) {
		return json(send(request(path).GET(), HttpResponse.BodyHandlers.ofByteArray()));
	}

	/** {@code GET path}, its body as bytes. */
	public byte[] getBytes(String path) {
		return send(request(path).GET(), HttpResponse.BodyHandlers.ofByteArray()).body();
	}

	/** {@code POST path} with a JSON body, its JSON answer (or an empty node). */
	public JsonNode postJson(String path, Object body) {
		HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
		return json(send(request, HttpResponse.BodyHandlers.ofByteArray()));
	}

	/** {@code DELETE path}, its JSON answer (or an empty node). */
	public JsonNode delete(String path) {
		return json(send(request(path).DELETE(), HttpResponse.BodyHandlers.ofByteArray()));
	}

	/**
	 * {@code POST path} with a streamed body of {@code length} bytes, its JSON answer;
	 * the stream is opened again should the client need to resend it.
	 */
	public JsonNode post(String path, String contentType, long length, Supplier<InputStream> body) {
		HttpRequest.Builder request = request(path).header("Content-Type", contentType)
			.timeout(Duration.ofHours(1))
			.POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), length));
		return json(send(request, HttpResponse.BodyHandlers.ofByteArray()));
	}

	/** {@code GET path} as a stream, for downloads; the caller closes it. */
	public InputStream download(String path) {
		HttpResponse<InputStream> response = send(request(path).timeout(Duration.ofHours(1)).GET(),
				HttpResponse.BodyHandlers.ofInputStream());
		return response.body();
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.baseUrl + path))
			.timeout(REQUEST_TIMEOUT)
			.header("Accept", "application/json, application/problem+json, */*")
			.header("User-Agent", "pgext-cli");
		if (this.token != null) {
			request.header("Authorization", "Bearer " + this.token);
		}
		return request;
	}

	private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
		HttpRequest built = request.build();
		HttpResponse<T> response;
		try {
			response = this.http.send(built, body);
		}
		catch (IOException ex) {
			throw new CliException(ExitCode.NETWORK,
					"cannot reach the registry at " + this.baseUrl + ": " + describe(ex), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CliException(ExitCode.NETWORK, "interrupted while talking to " + this.baseUrl, ex);
		}
		if (response.statusCode() / 100 != 2) {
			throw problem(response);
		}
		return response;
	}

	private static String describe(IOException ex) {
		String message = ex.getMessage();
		String kind = ex.getClass().getSimpleName();
		return (message == null || message.isBlank()) ? kind : kind + " (" + message + ")";
	}

	private static RegistryProblemException problem(HttpResponse<?> response) {
		byte[] bytes;
		try {
			bytes = (response.body() instanceof InputStream in) ? in.readNBytes(64 * 1024)
					: (response.body() instanceof byte[] raw) ? raw : new byte[0];
		}
		catch (IOException ex) {
			bytes = new byte[0];
		}
		finally {
			if (response.body() instanceof InputStream in) {
				try {
					in.close();
				}
				catch (IOException ex) {
					// the problem is what matters
				}
			}
		}
		try {
			JsonNode problem = JSON.readTree(bytes);
			if (problem != null && problem.isObject() && (problem.has("title") || problem.has("type"))) {
				return new RegistryProblemException(response.statusCode(), text(problem, "type"),
						text(problem, "title"), text(problem, "detail"));
			}
		}
		catch (JacksonException ex) {
			// not JSON: shown as text below
		}
		String text = new String(bytes, StandardCharsets.UTF_8).strip();
		if (text.length() > 300) {
			text = text.substring(0, 300) + "...";
		}
		return new RegistryProblemException(response.statusCode(), null, null,
				response.request().method() + " " + response.uri() + (text.isEmpty() ? "" : ": " + text));
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asString();
	}

	private static JsonNode json(HttpResponse<byte[]> response) {
		byte[] body = response.body();
		if (body == null || body.length == 0) {
			return JSON.createObjectNode();
		}
		try {
			return JSON.readTree(body);
		}
		catch (JacksonException ex) {
			throw new CliException(ExitCode.REFUSED, "the registry answered " + response.uri()
					+ " with something that is not JSON: " + ex.getOriginalMessage());
		}
	}

}
