package dev.pgext.bundle.publish;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.resilience4j.retry.Retry;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.http.MediaType;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.model.Failures;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.store.Backoff;

/**
 * Registers bundles with the registry: {@code POST {registry}/api/v1/bundles} with a
 * bearer token. {@code 201} means registered now, {@code 200} already registered with the
 * same content; anything else is an error carrying the registry's answer. Server errors
 * and connection failures are retried a few times, as registering is idempotent.
 */
public class RegistryClient {

	private static final int ATTEMPTS = 3;

	private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

	private final URI registry;

	private final String token;

	private final RestClient http;

	private final Duration firstRetry;

	/** A client of {@code registry} whose calls may take {@code timeout} each. */
	public RegistryClient(URI registry, String token, Duration timeout) {
		this(RestClient.builder(), registry, token, timeout);
	}

	/**
	 * A client of {@code registry} built with {@code http}, whose calls (connecting
	 * included) may take {@code timeout} each.
	 */
	public RegistryClient(RestClient.Builder http, URI registry, String token, Duration timeout) {
		this(http, registry, token, timeout, FIRST_RETRY);
	}

	RegistryClient(RestClient.Builder http, URI registry, String token, Duration timeout, Duration firstRetry) {
		if (registry == null) {
			throw new IllegalArgumentException("no registry URL configured (pgext.bundle.registry.url)");
		}
		if (!("http".equals(registry.getScheme()) || "https".equals(registry.getScheme()))
				|| registry.getHost() == null) {
			throw new IllegalArgumentException("the registry must be an http:// or https:// URL, got " + registry);
		}
		if (token == null || token.isBlank()) {
			throw new IllegalArgumentException(
					"no registry token configured (pgext.bundle.registry.token or " + "PGEXT_BUNDLE_REGISTRY_TOKEN)");
		}
		this.registry = registry;
		this.token = token;
		this.firstRetry = firstRetry;
		// a redirect is an answer like any other non-2xx: the registry never sends a
		// registration elsewhere, and following one would send the token and the
		// registration to wherever it points
		this.http = http
			.requestFactory(ClientHttpRequestFactoryBuilder.jdk()
				.build(HttpClientSettings.defaults()
					.withRedirects(HttpRedirects.DONT_FOLLOW)
					.withTimeouts(timeout, timeout)))
			.build();
	}

	/**
	 * The registration request body.
	 *
	 * @param sha256 the bundle file's digest
	 * @param size the bundle file's size in bytes
	 * @param pgVersions the exact Postgres version per major
	 * @param manifest the bundle's {@code bundle.json}
	 * @param sbom the text of the bundle's SBOM, {@code null} when it has none
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Registration(Sha256Digest sha256, long size, Map<String, String> pgVersions, BundleManifest manifest,
			String sbom) {
	}

	/** Whether the registry knew the bundle already. */
	public enum Outcome {

		/** The registry answered 201. */
		REGISTERED,

		/** The registry answered 200: it had the bundle already. */
		ALREADY_REGISTERED

	}

	/**
	 * Asks the registry whose token this is ({@code GET /api/v1/me}), so that a token it
	 * does not know, or one that may not publish, is refused before a bundle of many
	 * megabytes is uploaded for nothing. A registry that cannot say (an older one, a
	 * server error) is left to answer the registration itself.
	 */
	public void checkToken() throws IOException {
		URI uri = URI.create(this.registry.toString().replaceAll("/+$", "") + "/api/v1/me");
		try {
			this.http.get().uri(uri).headers((headers) -> {
				headers.setBearerAuth(this.token);
				headers.setAccept(List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON));
			}).exchange((request, response) -> {
				int status = response.getStatusCode().value();
				String answer = new String(response.getBody().readNBytes(64 * 1024), StandardCharsets.UTF_8);
				if (status == 401 || status == 403) {
					throw new RegistryException(
							"the registry at " + this.registry + " refuses the token (HTTP " + status + "): " + answer);
				}
				if (status == 200) {
					JsonNode me;
					try {
						me = BundleJson.mapper().readTree(answer);
					}
					catch (JacksonException notJson) {
						return null;
					}
					Set<String> scopes = new TreeSet<>();
					me.path("scopes").forEach((scope) -> scopes.add(scope.asString()));
					if (me.path("scopes").isArray() && !scopes.contains("publish") && !scopes.contains("admin")) {
						throw new RegistryException("the token of " + me.path("name").asString() + " has the scopes "
								+ scopes + "; registering a bundle needs publish or admin");
					}
				}
				return null;
			});
		}
		catch (ResourceAccessException ex) {
			if (ex.getCause() instanceof RegistryException refused) {
				throw refused;
			}
			throw new IOException("cannot reach the registry at " + uri + ": "
					+ Failures.describe((ex.getCause() != null) ? ex.getCause() : ex), ex);
		}
	}

	public Outcome register(Registration registration) throws IOException {
		URI uri = URI.create(this.registry.toString().replaceAll("/+$", "") + "/api/v1/bundles");
		byte[] body = BundleJson.write(registration);
		Retry retry = Backoff.retry("bundle-registration", ATTEMPTS, this.firstRetry,
				(ex) -> ex instanceof IOException && !(ex instanceof RegistryException));
		try {
			return retry.executeCallable(() -> send(uri, body, registration.sha256()));
		}
		catch (IOException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IOException("registering bundle " + registration.sha256() + " at " + uri + " failed: " + ex, ex);
		}
	}

	private Outcome send(URI uri, byte[] body, Sha256Digest sha256) throws IOException {
		try {
			return this.http.post().uri(uri).headers((headers) -> {
				headers.setBearerAuth(this.token);
				headers.setAccept(List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON));
			}).contentType(MediaType.APPLICATION_JSON).body(body).exchange((request, response) -> {
				int status = response.getStatusCode().value();
				if (status == 201) {
					return Outcome.REGISTERED;
				}
				if (status == 200) {
					return Outcome.ALREADY_REGISTERED;
				}
				String answer = "registering bundle " + sha256 + " at " + uri + " failed with HTTP " + status + ": "
						+ new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
				if (status < 500) {
					throw new RegistryException(answer);
				}
				throw new RetryableAnswer(answer);
			});
		}
		catch (RetryableAnswer ex) {
			throw new IOException(ex.getMessage());
		}
		catch (ResourceAccessException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof RegistryException refused) {
				throw refused;
			}
			throw new IOException(
					"registering bundle " + sha256 + " at " + uri + " failed: " + Failures.describe(cause), cause);
		}
	}

	/** A server error: registering is idempotent, so it is worth another attempt. */
	private static final class RetryableAnswer extends RuntimeException {

		RetryableAnswer(String message) {
			super(message, null, false, false);
		}

	}

	/**
	 * The registry refused a registration (a client error: bad token, invalid body, a
	 * conflicting bundle); retrying would not help.
	 */
	public static class RegistryException extends IOException {

		public RegistryException(String message) {
			super(message);
		}

	}

}
