package dev.pgext.bundle.publish;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.model.Sha256Digest;

/**
 * Registers bundles with the registry: {@code POST {registry}/api/v1/bundles} with a
 * bearer token. {@code 201} means registered now, {@code 200} already registered with the
 * same content; anything else is an error carrying the registry's answer. Server errors
 * and connection failures are retried a few times, as registering is idempotent.
 */
public class RegistryClient {

	private static final int ATTEMPTS = 3;

	private final URI registry;

	private final String token;

	private final Duration timeout;

	private final HttpClient http;

	public RegistryClient(URI registry, String token, Duration timeout) {
		if (registry == null) {
			throw new IllegalArgumentException("no registry URL configured (pgext.bundle.registry.url)");
		}
		if (token == null || token.isBlank()) {
			throw new IllegalArgumentException(
					"no registry token configured (pgext.bundle.registry.token or " + "PGEXT_BUNDLE_REGISTRY_TOKEN)");
		}
		this.registry = registry;
		this.token = token;
		this.timeout = timeout;
		this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
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

	public Outcome register(Registration registration) throws IOException {
		URI uri = URI.create(this.registry.toString().replaceAll("/+$", "") + "/api/v1/bundles");
		HttpRequest request = HttpRequest.newBuilder(uri)
			.timeout(this.timeout)
			.header("Authorization", "Bearer " + this.token)
			.header("Content-Type", "application/json")
			.header("Accept", "application/json, application/problem+json")
			.POST(HttpRequest.BodyPublishers.ofByteArray(BundleJson.write(registration)))
			.build();
		IOException last = null;
		for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
			try {
				HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
				int status = response.statusCode();
				if (status == 201) {
					return Outcome.REGISTERED;
				}
				if (status == 200) {
					return Outcome.ALREADY_REGISTERED;
				}
				String answer = "registering bundle " + registration.sha256() + " at " + uri + " failed with HTTP "
						+ status + ": " + response.body();
				if (status < 500) {
					throw new RegistryException(answer);
				}
				last = new IOException(answer);
			}
			catch (RegistryException ex) {
				throw ex;
			}
			catch (IOException ex) {
				last = new IOException(
						"registering bundle " + registration.sha256() + " at " + uri + " failed: " + ex.getMessage(),
						ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted while registering bundle " + registration.sha256(), ex);
			}
			sleep(attempt);
		}
		throw last;
	}

	private static void sleep(int attempt) throws IOException {
		if (attempt == ATTEMPTS) {
			return;
		}
		try {
			Thread.sleep(500L << attempt);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while waiting to retry", ex);
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
