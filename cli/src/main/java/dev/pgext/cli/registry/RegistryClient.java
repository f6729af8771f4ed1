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
import dev.pgext.model.Failures;
import dev.pgext.model.Origins;
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

	/** How many redirects a {@code GET} follows, as the JDK's client does by default. */
	static final int MAX_REDIRECTS = 5;

	/**
	 * Until the answer's headers (the JDK client's request timeout), and again for its
	 * body.
	 */
	private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

	/**
	 * How long an answer's body may stall before the registry is taken to have stopped.
	 */
	private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

	/** The largest JSON answer read (the registry's are a few KiB to a few MiB). */
	static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

	/**
	 * The largest document {@link #getBytes} reads: a compute manifest names every file
	 * of every extension of a major, tens of MiB for a catalog of tens of thousands.
	 */
	static final int MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

	private final String baseUrl;

	private final String token;

	private final HttpClient http;

	private final Duration idleTimeout;

	public RegistryClient(String baseUrl, String token) {
		this(baseUrl, token, IDLE_TIMEOUT);
	}

	RegistryClient(String baseUrl, String token, Duration idleTimeout) {
		if (token != null && !token.chars().allMatch((c) -> c > ' ' && c < 0x7f)) {
			throw CliException.local("the token is not one the registry issues: a token is printable ASCII without "
					+ "spaces (check PGEXT_TOKEN, or log in again)");
		}
		this.baseUrl = baseUrl;
		this.token = token;
		this.idleTimeout = idleTimeout;
		this.http = HttpClient.newBuilder()
			.connectTimeout(CONNECT_TIMEOUT)
			// followed by send(), which keeps the token to the registry's own origin: the
			// JDK's client sends every header of the request to wherever it is redirected
			.followRedirects(HttpClient.Redirect.NEVER)
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
		return json(answer(request(path).GET()));
	}

	/** {@code GET path}, its body as bytes. */
	public byte[] getBytes(String path) {
		return answer(request(path).GET(), MAX_DOCUMENT_BYTES, null).body();
	}

	/** {@code POST path} with a JSON body, its JSON answer (or an empty node). */
	public JsonNode postJson(String path, Object body) {
		HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
		return json(answer(request));
	}

	/** {@code DELETE path}, its JSON answer (or an empty node). */
	public JsonNode delete(String path) {
		return json(answer(request(path).DELETE()));
	}

	/**
	 * {@code POST path} with a streamed body of {@code length} bytes, its JSON answer;
	 * the stream is opened again should the client need to resend it.
	 */
	public JsonNode post(String path, String contentType, long length, Supplier<InputStream> body) {
		HttpRequest.Builder request = request(path).header("Content-Type", contentType)
			.timeout(Duration.ofHours(1))
			.POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), length));
		return json(answer(request));
	}

	/**
	 * {@code GET path} as a stream, for downloads; the caller closes it. A read fails
	 * once the registry has sent nothing for a minute (twice an answer's idle time).
	 */
	public InputStream download(String path) {
		return new GuardedBody(send(request(path).GET()).body(), this.idleTimeout.multipliedBy(2), null);
	}

	private Answer answer(HttpRequest.Builder request) {
		return answer(request, MAX_ANSWER_BYTES, REQUEST_TIMEOUT);
	}

	/**
	 * The whole answer, at most {@code maxBytes}, its body in at most {@code deadline}
	 * ({@code null}: as long as it keeps coming).
	 */
	private Answer answer(HttpRequest.Builder request, int maxBytes, Duration deadline) {
		HttpResponse<InputStream> response = send(request);
		try (InputStream in = new GuardedBody(response.body(), this.idleTimeout, deadline)) {
			byte[] body = in.readNBytes(maxBytes + 1);
			if (body.length > maxBytes) {
				throw new CliException(ExitCode.REFUSED, "the registry's answer to " + response.request().method() + " "
						+ response.uri() + " is larger than " + (maxBytes >> 20) + " MiB; not read further");
			}
			return new Answer(response.uri(), body);
		}
		catch (IOException ex) {
			throw new CliException(ExitCode.NETWORK,
					"reading the answer of the registry at " + this.baseUrl + " failed: " + describe(ex), ex);
		}
	}

	private record Answer(URI uri, byte[] body) {
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

	/**
	 * Sends {@code request}; a {@code GET} follows up to {@value #MAX_REDIRECTS}
	 * redirects (file downloads are answered with one to the store), as the JDK's client
	 * would but for the token, which goes to the registry's own origin (scheme, host and
	 * port) only: a presigned URL needs none, and the store's host has no business seeing
	 * it. A redirect from HTTPS to HTTP is not followed.
	 */
	private HttpResponse<InputStream> send(HttpRequest.Builder request) {
		HttpRequest current = request.build();
		URI origin = current.uri();
		for (int redirects = 0;; redirects++) {
			HttpResponse<InputStream> response = exchange(current);
			URI next = "GET".equals(current.method()) ? Origins.redirect(response.uri(), response.statusCode(),
					response.headers().firstValue("Location").orElse(null)) : null;
			if (next == null) {
				if (response.statusCode() / 100 != 2) {
					throw problem(response, this.idleTimeout);
				}
				return response;
			}
			close(response);
			if (redirects == MAX_REDIRECTS) {
				throw new CliException(ExitCode.NETWORK, "GET " + origin + " was redirected more than " + MAX_REDIRECTS
						+ " times (last to " + next + "); not followed further");
			}
			boolean sameOrigin = Origins.same(origin, next);
			current = HttpRequest
				.newBuilder(current, (name, value) -> sameOrigin || !"Authorization".equalsIgnoreCase(name))
				.uri(next)
				.build();
		}
	}

	private HttpResponse<InputStream> exchange(HttpRequest request) {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (IOException ex) {
			throw new CliException(ExitCode.NETWORK,
					"cannot reach " + (request.uri().toString().startsWith(this.baseUrl)
							? "the registry at " + this.baseUrl : request.uri().getHost()) + ": " + describe(ex),
					ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CliException(ExitCode.NETWORK, "interrupted while talking to " + this.baseUrl, ex);
		}
	}

	private static void close(HttpResponse<InputStream> response) {
		try {
			response.body().close();
		}
		catch (IOException ex) {
			// the connection is given up either way
		}
	}

	private static String describe(IOException ex) {
		return Failures.describe(ex);
	}

	private static RegistryProblemException problem(HttpResponse<InputStream> response, Duration idle) {
		byte[] bytes;
		try (InputStream in = new GuardedBody(response.body(), idle, REQUEST_TIMEOUT)) {
			bytes = in.readNBytes(64 * 1024);
		}
		catch (IOException ex) {
			bytes = new byte[0];
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

	private static JsonNode json(Answer response) {
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
