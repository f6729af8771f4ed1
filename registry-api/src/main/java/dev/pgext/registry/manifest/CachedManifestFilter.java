package dev.pgext.registry.manifest;

import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;

/**
 * Answers an anonymous {@code GET} of a public compute manifest that is already in
 * {@link ManifestCache} ahead of everything else, with a 304 when its validators still
 * match and otherwise with the cached body (gzip when the client accepts it): the request
 * never reaches Spring MVC's dispatch, the token interceptor or the HTTP observation,
 * which cost a 304 far more than comparing two strings and a 200 more than copying the
 * prepared bytes. It speaks only for a request the controller would answer in the same
 * way, with the same bytes and headers: no {@code Authorization} header (a bad token must
 * still be refused), no {@code tenant}, nothing in the query but an optional well-formed
 * {@code platform}, a supported major, and a manifest already cached with a signature not
 * near expiry (a miss, which needs the database, goes the usual way and fills the cache).
 * Everything else passes through unchanged. The {@code pgext.registry.manifest.requests}
 * counter still counts these answers ({@code ok} and {@code not-modified}).
 */
class CachedManifestFilter extends OncePerRequestFilter {

	private static final String PATH = "/api/v1/compute-manifests/";

	private static final Pattern QUERY = Pattern.compile("(?:platform=([a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+))?");

	/**
	 * Where the filter looks manifests up: {@link ManifestCache#cached}, never a build.
	 */
	interface Cached {

		Optional<ManifestCache.Manifest> get(PgMajor major, Scope scope, Platform platform);

	}

	private final Cached manifests;

	private final Counter ok;

	private final Counter notModified;

	CachedManifestFilter(Cached manifests, MeterRegistry meters) {
		this.manifests = manifests;
		this.ok = ManifestController.requests(meters, "ok", "public");
		this.notModified = ManifestController.requests(meters, "not-modified", "public");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Optional<ManifestCache.Manifest> cached = answerable(request);
		if (cached.isEmpty()) {
			chain.doFilter(request, response);
			return;
		}
		ManifestCache.Manifest manifest = cached.get();
		boolean gzip = ManifestController.acceptsGzip(request.getHeader(HttpHeaders.ACCEPT_ENCODING));
		boolean unchanged = ManifestController.notModified(request.getHeader(HttpHeaders.IF_NONE_MATCH),
				request.getHeader(HttpHeaders.IF_MODIFIED_SINCE), manifest);
		response.setStatus(unchanged ? HttpServletResponse.SC_NOT_MODIFIED : HttpServletResponse.SC_OK);
		// rendered once per manifest
		String[] headers = manifest.validators(gzip);
		for (int i = 0; i < headers.length; i += 2) {
			response.addHeader(headers[i], headers[i + 1]);
		}
		if (unchanged) {
			this.notModified.increment();
			return;
		}
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		if (gzip) {
			response.setHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
		}
		byte[] body = gzip ? manifest.gzipBody() : manifest.body();
		response.setContentLength(body.length);
		// the whole prepared body in one call, its length known up front; how many socket
		// writes it takes is the connector's write buffer (registry.ConnectorProperties)
		response.getOutputStream().write(body);
		this.ok.increment();
	}

	private Optional<ManifestCache.Manifest> answerable(HttpServletRequest request) {
		if (!"GET".equals(request.getMethod()) || request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
			return Optional.empty();
		}
		String uri = request.getRequestURI().substring(request.getContextPath().length());
		if (!uri.startsWith(PATH)) {
			return Optional.empty();
		}
		String query = request.getQueryString();
		Matcher matcher = QUERY.matcher((query != null) ? query : "");
		if (!matcher.matches()) {
			return Optional.empty();
		}
		try {
			PgMajor major = PgMajor.parse(uri.substring(PATH.length()));
			Platform platform = (matcher.group(1) != null) ? Platform.parse(matcher.group(1)) : Platform.DEFAULT;
			return this.manifests.get(major, Scope.PUBLIC, platform);
		}
		catch (IllegalArgumentException ex) {
			// the controller answers it with its problem
			return Optional.empty();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Registration {

		@Bean
		FilterRegistrationBean<CachedManifestFilter> cachedManifestFilter(ManifestCache manifests,
				MeterRegistry meters) {
			FilterRegistrationBean<CachedManifestFilter> registration = new FilterRegistrationBean<>(
					new CachedManifestFilter(manifests::cached, meters));
			registration.addUrlPatterns(PATH + "*");
			// ahead of the HTTP observation filter, whose timing a cached answer would
			// otherwise pay for
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

	}

}
