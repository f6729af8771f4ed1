package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClient.RequestHeadersSpec.ExchangeFunction;

import dev.pgext.loader.trust.MetadataTrust;
import dev.pgext.model.Origins;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.signing.MetadataRejectedException;
import dev.pgext.model.signing.MetadataSignature;

/**
 * Reads through the registry: {@code GET
 * /api/v1/compute-manifests/{pg}?tenant=&platform=} answers the merged index of this
 * loader's platform (the registry leaves every other platform's builds out), verified
 * against its {@code Pgext-Signature} header before a digest in it is trusted, {@code GET
 * /api/v1/files/{sha256}} the content (possibly by a redirect to S3), streamed: a file is
 * never held in memory. A 5xx answer or a network error is an {@link IOException}, which
 * the placer retries.
 */
public final class RegistryExtensionSource implements StreamingExtensionSource {

	private final URI base;

	private final String token;

	private final Http http;

	private final Retry retry;

	private final Platform platform;

	private final MetadataTrust trust;

	/** The most bytes a manifest may have. */
	private final long indexMaxSize;

	/** How many redirects one request follows, as the JDK's client does by default. */
	static final int MAX_REDIRECTS = 5;

	/** The default time to connect to the registry. */
	public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

	/**
	 * The default time one request may keep its reader waiting, for the answer's headers
	 * and in all while its body is read.
	 */
	public static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

	/**
	 * The longest one read waits for data before the registry is taken to have stopped
	 * (at most the read timeout): the store's client gives up after as much silence.
	 */
	static final Duration SILENCE = Duration.ofSeconds(30);

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
		this(base, token, retry, platform, trust, http(RestClient.builder(), CONNECT_TIMEOUT, READ_TIMEOUT));
	}

	/**
	 * A source of {@code platform}'s builds that asks the registry with {@code http} (see
	 * {@link #http}).
	 */
	public RegistryExtensionSource(URI base, String token, Retry retry, Platform platform, MetadataTrust trust,
			Http http) {
		this(base, token, retry, platform, trust, http, IndexText.DEFAULT_MAX_SIZE);
	}

	private RegistryExtensionSource(URI base, String token, Retry retry, Platform platform, MetadataTrust trust,
			Http http, long indexMaxSize) {
		this.indexMaxSize = indexMaxSize;
		this.trust = trust;
		this.retry = retry;
		this.platform = platform;
		String url = base.toString();
		this.base = URI.create(url.endsWith("/") ? url : url + "/");
		this.token = token;
		this.http = http;
	}

	/**
	 * How a source asks the registry: {@code builder} on the JDK's
	 * {@code HttpURLConnection}, whose read timeout bounds each wait for data, the
	 * answer's headers included ({@code read}, at most {@link #SILENCE}: a registry that
	 * has gone silent is given up after half a minute, not after the whole read timeout,
	 * every attempt); and {@code read}, which bounds the time a body may keep its reader
	 * waiting in all ({@link ReadDeadline}), so a registry that trickles is given up too.
	 * Neither bounds how long a body takes to read: a large file read slowly on purpose
	 * (under {@code pgext.loader.background-bandwidth}) is not a registry that stalls.
	 * (Spring's request factory on the JDK's {@code HttpClient} has one deadline for the
	 * whole exchange, body included, which cut such a download off after five minutes,
	 * every attempt.) It follows no redirect itself: the source does (file downloads are
	 * answered by a redirect to S3), sending the token to the registry's own origin only.
	 */
	public static Http http(RestClient.Builder builder, Duration connect, Duration read) {
		return http(builder, connect, read, SILENCE);
	}

	/** As {@link #http(RestClient.Builder, Duration, Duration)}, with its own silence. */
	static Http http(RestClient.Builder builder, Duration connect, Duration read, Duration silence) {
		HttpClientSettings settings = HttpClientSettings.defaults()
			.withRedirects(HttpRedirects.DONT_FOLLOW)
			.withTimeouts(connect, (read.compareTo(silence) < 0) ? read : silence);
		return new Http(builder.requestFactory(ClientHttpRequestFactoryBuilder.simple().build(settings)).build(), read);
	}

	/**
	 * The client a source asks the registry with, and the longest a body may keep its
	 * reader waiting in all.
	 *
	 * @param client the client, with its connect and read timeouts
	 * @param readTimeout the read timeout, for bodies in all
	 */
	public record Http(RestClient client, Duration readTimeout) {
	}

	/**
	 * This source, refusing a manifest of more than {@code bytes} bytes, announced or as
	 * soon as that many have arrived.
	 */
	public RegistryExtensionSource withIndexMaxSize(long bytes) {
		return new RegistryExtensionSource(this.base, this.token, this.retry, this.platform, this.trust, this.http,
				bytes);
	}

	@Override
	public SkimmedIndex skimmedIndex(PgMajor major, TenantId tenant, IndexText.EntryListener early) {
		String path = "api/v1/compute-manifests/" + major + "?platform=" + this.platform
				+ ((tenant != null) ? "&tenant=" + tenant.value() : "");
		try {
			return Retry.decorateCheckedSupplier(this.retry, () -> get(path, (request, response) -> {
				if (response.getStatusCode().value() == 404) {
					// the registry answers every major and tenant, an empty manifest when
					// nothing is published: a 404 is another server, and no index at all,
					// unsigned, must not pass for an empty one
					throw new FetchException(FetchException.Reason.UNAVAILABLE, "registry " + path
							+ " answered 404: no compute manifest there (is pgext.loader.registry.url the registry's?)");
				}
				check(response.getStatusCode(), response.getHeaders(), path);
				String document = document(major, tenant);
				byte[] signature = this.trust.decodeHeader(document,
						response.getHeaders().getFirst(MetadataSignature.HEADER));
				// hashed while it is skimmed, checked before any entry is bound
				IndexText manifest;
				try (InputStream body = ReadDeadline.of(response.getBody(), ReadDeadline.Server.REGISTRY, path,
						this.http.readTimeout())) {
					manifest = IndexText.read(body, response.getHeaders().getContentLength(), early, this.indexMaxSize);
				}
				catch (UncheckedIOException ex) {
					// a body cut off mid-read is worth another attempt
					throw ex.getCause();
				}
				this.trust.verify(document, manifest.sha256(), manifest.size(), signature);
				return SkimmedIndex.merge(major, tenant, manifest, null);
			}, true)).get();
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
		// the answer stays open: the caller streams the body to disk and closes it
		return get(path, (request, response) -> {
			HttpStatusCode status = response.getStatusCode();
			if (status.value() == 200) {
				return ReadDeadline.of(response.getBody(), ReadDeadline.Server.REGISTRY, path, this.http.readTimeout());
			}
			HttpHeaders headers = response.getHeaders();
			discard(response);
			if (status.value() == 404) {
				throw new FetchException(FetchException.Reason.MISSING, "the registry has no file " + digest);
			}
			check(status, headers, path);
			throw new FetchException(FetchException.Reason.UNAVAILABLE,
					"registry " + path + " answered " + status.value());
		}, false);
	}

	/**
	 * Asks for {@code path} and hands the answer to {@code answer}, following up to
	 * {@value #MAX_REDIRECTS} redirects; the token goes only to the registry's own origin
	 * (scheme, host and port), never to where it redirects elsewhere (a presigned S3 URL
	 * needs none, and S3 refuses a request that carries both). A network error is the
	 * {@link IOException} itself, not the client's wrapper, so that retries see it.
	 */
	private <T> T get(String path, ExchangeFunction<T> answer, boolean close) throws IOException {
		URI target = this.base.resolve(path);
		for (int redirects = 0;; redirects++) {
			URI current = target;
			boolean followed = redirects < MAX_REDIRECTS;
			Object result = exchange(current, (request, response) -> {
				URI next = followed ? Origins.redirect(current, response.getStatusCode().value(),
						response.getHeaders().getFirst(HttpHeaders.LOCATION)) : null;
				if (next != null) {
					discard(response);
					return new Redirect(next);
				}
				if (!close) {
					return answer.exchange(request, response);
				}
				try {
					return answer.exchange(request, response);
				}
				finally {
					discard(response);
				}
			}, close);
			if (!(result instanceof Redirect redirect)) {
				@SuppressWarnings("unchecked")
				T answered = (T) result;
				return answered;
			}
			target = redirect.to();
		}
	}

	private Object exchange(URI target, ExchangeFunction<Object> answer, boolean close) throws IOException {
		try {
			return this.http.client().get().uri(target).headers((headers) -> {
				if (this.token != null && !this.token.isBlank() && Origins.same(this.base, target)) {
					headers.setBearerAuth(this.token);
				}
			}).exchange(answer, close);
		}
		catch (ResourceAccessException ex) {
			if (ex.getCause() instanceof IOException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	/**
	 * Closes the body of {@code response} without reading the rest of it (the client
	 * would drain it to reuse the connection: a body that never ends would hold the
	 * caller until the read timeout).
	 */
	private static void discard(ClientHttpResponse response) {
		try {
			response.getBody().close();
		}
		catch (IOException ex) {
			// the connection is given up either way
		}
	}

	/** A redirect the source follows. */
	private record Redirect(URI to) {
	}

	private static void check(HttpStatusCode statusCode, HttpHeaders headers, String path) throws IOException {
		int status = statusCode.value();
		if (status >= 500 || status == 429) {
			throw RegistryBusyException.of("registry " + path + " answered " + status,
					headers.getFirst(HttpHeaders.RETRY_AFTER));
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
