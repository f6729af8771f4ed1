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
import org.springframework.web.filter.OncePerRequestFilter;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;

/**
 * Answers an anonymous conditional {@code GET} of a public compute manifest whose
 * validators still match with a 304 ahead of everything else: the request never reaches
 * Spring MVC's dispatch, the token interceptor or the HTTP observation, which cost a 304
 * far more than comparing two strings. It speaks only for a request the controller would
 * answer with the same 304: no {@code Authorization} header (a bad token must still be
 * refused), no {@code tenant}, nothing in the query but an optional well-formed
 * {@code platform}, a supported major, and a manifest already in {@link ManifestCache} (a
 * miss, which needs the database, goes the usual way). Everything else passes through
 * unchanged. The {@code pgext.registry.manifest.requests} counter still counts these
 * answers.
 */
class ConditionalManifestFilter extends OncePerRequestFilter {

	private static final String PATH = "/api/v1/compute-manifests/";

	private static final Pattern QUERY = Pattern.compile("(?:platform=([a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+))?");

	/**
	 * Where the filter looks manifests up: {@link ManifestCache#cached}, never a build.
	 */
	interface Cached {

		Optional<ManifestCache.Manifest> get(PgMajor major, Scope scope, Platform platform);

	}

	private final Cached manifests;

	private final Counter notModified;

	ConditionalManifestFilter(Cached manifests, MeterRegistry meters) {
		this.manifests = manifests;
		this.notModified = ManifestController.requests(meters, "not-modified", "public");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Optional<ManifestCache.Manifest> manifest = answerable(request);
		if (manifest.isEmpty()) {
			chain.doFilter(request, response);
			return;
		}
		boolean gzip = ManifestController.acceptsGzip(request.getHeader(HttpHeaders.ACCEPT_ENCODING));
		if (!ManifestController.notModified(request.getHeader(HttpHeaders.IF_NONE_MATCH),
				request.getHeader(HttpHeaders.IF_MODIFIED_SINCE), manifest.get())) {
			chain.doFilter(request, response);
			return;
		}
		response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
		// rendered once per manifest
		String[] headers = manifest.get().validators(gzip);
		for (int i = 0; i < headers.length; i += 2) {
			response.addHeader(headers[i], headers[i + 1]);
		}
		this.notModified.increment();
	}

	private Optional<ManifestCache.Manifest> answerable(HttpServletRequest request) {
		if (!"GET".equals(request.getMethod()) || request.getHeader(HttpHeaders.AUTHORIZATION) != null
				|| (request.getHeader(HttpHeaders.IF_NONE_MATCH) == null
						&& request.getHeader(HttpHeaders.IF_MODIFIED_SINCE) == null)) {
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
		FilterRegistrationBean<ConditionalManifestFilter> conditionalManifestFilter(ManifestCache manifests,
				MeterRegistry meters) {
			FilterRegistrationBean<ConditionalManifestFilter> registration = new FilterRegistrationBean<>(
					new ConditionalManifestFilter(manifests::cached, meters));
			registration.addUrlPatterns(PATH + "*");
			// ahead of the HTTP observation filter, whose timing a 304 would otherwise
			// pay for
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

	}

}
