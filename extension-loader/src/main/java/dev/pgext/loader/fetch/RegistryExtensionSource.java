package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import dev.pgext.loader.trust.MetadataTrust;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.signing.MetadataRejectedException;
import dev.pgext.model.signing.MetadataSignature;

/**
 * Reads through the registry: {@code GET
 * /api/v1/compute-manifests/{pg}?tenant=&platform=} answers the merged index of this
 * loader's platform (the registry leaves every other platform's builds out), verified
 * against its {@code Pgext-Signature} header before a digest in it is trusted, {@code GET
 * /api/v1/files/{sha256}} the content (possibly by a redirect to S3). A 5xx answer or a
 * network error is an {@link IOException}, which the placer retries.
 */
public final class RegistryExtensionSource implements ExtensionSource {

	private final URI base;

	private final String token;

	private final HttpClient client;

	private final Retry retry;

	private final Platform platform;

	private final MetadataTrust trust;

	/** A source for the default platform that tries the manifest once. */
	public RegistryExtensionSource(URI base, String token) {
		this(base, token, Retry.of("registry-manifest", RetryConfig.custom().maxAttempts(1).build()));
	}

	/**
	 * A source for the default platform whose manifest fetch is retried by {@code retry}.
	 */
	public RegistryExtensionSource(URI base, String token, Retry retry) {
		this(base, token, retry, Platform.DEFAULT);
	}

	/**
	 * A source of {@code platform}'s builds whose manifest fetch is retried by
	 * {@code retry} on network errors and 5xx answers (file fetches are retried by the
	 * placer).
	 */
	public RegistryExtensionSource(URI base, String token, Retry retry, Platform platform) {
		this(base, token, retry, platform, MetadataTrust.none());
	}

	/**
	 * A source of {@code platform}'s builds whose manifest must pass {@code trust} (its
	 * {@code Pgext-Signature} header) before any digest in it is trusted.
	 */
	public RegistryExtensionSource(URI base, String token, Retry retry, Platform platform, MetadataTrust trust) {
		this.trust = trust;
		this.retry = retry;
		this.platform = platform;
		String url = base.toString();
		this.base = URI.create(url.endsWith("/") ? url : url + "/");
		this.token = token;
		this.client = HttpClient.newBuilder()
			.followRedirects(HttpClient.Redirect.NORMAL)
			.connectTimeout(Duration.ofSeconds(10))
			.build();
	}

	@Override
	public ExtIndex index(PgMajor major, TenantId tenant) {
		return skimmedIndex(major, tenant).parseAll();
	}

	@Override
	public SkimmedIndex skimmedIndex(PgMajor major, TenantId tenant) {
		String path = "api/v1/compute-manifests/" + major + "?platform=" + this.platform
				+ ((tenant != null) ? "&tenant=" + tenant.value() : "");
		try {
			return Retry.decorateCheckedSupplier(this.retry, () -> {
				HttpResponse<InputStream> response = send(path);
				try (InputStream body = response.body()) {
					if (response.statusCode() == 404) {
						return SkimmedIndex.of(ExtIndex.of(major, tenant, java.util.List.of()));
					}
					check(response, path);
					String document = document(major, tenant);
					byte[] signature = this.trust.decodeHeader(document,
							response.headers().firstValue(MetadataSignature.HEADER).orElse(null));
					// hashed while it is skimmed, checked before any entry is bound
					IndexText manifest;
					try {
						manifest = IndexText.read(body,
								response.headers().firstValueAsLong("Content-Length").orElse(-1));
					}
					catch (UncheckedIOException ex) {
						// a body cut off mid-read is worth another attempt
						throw ex.getCause();
					}
					this.trust.verify(document, manifest.sha256(), manifest.size(), signature);
					return SkimmedIndex.merge(major, tenant, manifest, null);
				}
			}).get();
		}
		catch (FetchException ex) {
			throw ex;
		}
		catch (MetadataRejectedException ex) {
			throw new FetchException(FetchException.Reason.UNTRUSTED,
					"refusing registry " + path + ": " + ex.getMessage(), ex);
		}
		catch (IllegalArgumentException ex) {
			throw new FetchException(FetchException.Reason.MISSING, "registry " + path + ": " + ex.getMessage(), ex);
		}
		catch (Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new FetchException(FetchException.Reason.UNAVAILABLE, "registry " + path + ": " + ex.getMessage(),
					ex);
		}
	}

	/** The document name the registry signs this manifest as. */
	private String document(PgMajor major, TenantId tenant) {
		return "compute-manifests/" + major + "/" + this.platform + "/"
				+ ((tenant != null) ? tenant.value() : "public");
	}

	@Override
	public InputStream open(Sha256Digest digest) throws IOException {
		String path = "api/v1/files/" + digest.hex();
		HttpResponse<InputStream> response = send(path);
		if (response.statusCode() == 200) {
			return response.body();
		}
		response.body().close();
		if (response.statusCode() == 404) {
			throw new FetchException(FetchException.Reason.MISSING, "the registry has no file " + digest);
		}
		check(response, path);
		throw new FetchException(FetchException.Reason.UNAVAILABLE,
				"registry " + path + " answered " + response.statusCode());
	}

	private HttpResponse<InputStream> send(String path) throws IOException {
		HttpRequest.Builder request = HttpRequest.newBuilder(this.base.resolve(path))
			.timeout(Duration.ofMinutes(5))
			.GET();
		if (this.token != null && !this.token.isBlank()) {
			request.header("Authorization", "Bearer " + this.token);
		}
		try {
			return this.client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
	}

	private static void check(HttpResponse<?> response, String path) throws IOException {
		int status = response.statusCode();
		if (status >= 500 || status == 429) {
			throw new IOException("registry " + path + " answered " + status);
		}
		if (status != 200) {
			throw new FetchException(FetchException.Reason.UNAVAILABLE, "registry " + path + " answered " + status);
		}
	}

	@Override
	public String name() {
		return "registry";
	}

}
