package dev.pgext.registry.manifest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import dev.pgext.model.Platform;
import dev.pgext.model.Scope;

import static org.assertj.core.api.Assertions.assertThat;

class CachedManifestFilterTests {

	private static final byte[] BODY = "{\"extensions\":[]}".getBytes(StandardCharsets.UTF_8);

	private static final byte[] GZIP_BODY = { 31, -117, 8, 0, 1, 2, 3 };

	private static final ManifestCache.Manifest MANIFEST = new ManifestCache.Manifest(BODY, GZIP_BODY, "\"sha256:ab\"",
			"\"sha256:ab+gzip\"", Instant.parse("2026-11-30T10:00:00Z"), null, null);

	private static final ManifestCache.Manifest SIGNED = new ManifestCache.Manifest(BODY, GZIP_BODY, "\"sha256:cd\"",
			"\"sha256:cd+gzip\"", null, "eyJzaWduZWQiOnRydWV9", Instant.now().plusSeconds(3600));

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final CachedManifestFilter filter = new CachedManifestFilter((major, scope,
			platform) -> (major.value() == 17 && scope.equals(Scope.PUBLIC)
					&& !platform.equals(Platform.parse("linux-arm64-gnu"))) ? Optional.of(MANIFEST)
							: (major.value() == 16 && scope.equals(Scope.PUBLIC)) ? Optional.of(SIGNED)
									: Optional.empty(),
			this.meters);

	@Test
	void anAnonymousRevalidationOfACachedPublicManifestIsAnsweredWithoutTheRestOfTheChain() throws Exception {
		MockHttpServletRequest request = conditional("/api/v1/compute-manifests/17", null);
		request.addHeader("Accept-Encoding", "gzip");
		MockHttpServletResponse response = new MockHttpServletResponse();
		boolean passed = run(request, response);
		assertThat(passed).isFalse();
		assertThat(response.getStatus()).isEqualTo(304);
		assertThat(response.getHeader("ETag")).isEqualTo(MANIFEST.gzipEtag());
		assertThat(response.getHeader("Cache-Control")).contains("must-revalidate");
		assertThat(response.getHeader("Vary")).isEqualTo("Accept-Encoding");
		assertThat(response.getHeader("Last-Modified")).isEqualTo("Mon, 30 Nov 2026 10:00:00 GMT");
		assertThat(response.getContentAsByteArray()).isEmpty();
		assertThat(this.meters.get("pgext.registry.manifest.requests")
			.tags("outcome", "not-modified", "scope", "public")
			.counter()
			.count()).isEqualTo(1);
		assertThat(run(conditional("/api/v1/compute-manifests/17", "platform=linux-amd64-gnu"),
				new MockHttpServletResponse()))
			.isFalse();
	}

	@Test
	void theRevalidationOfASignedManifestCarriesItsSignatureAndNoLastModifiedItDoesNotHave() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/compute-manifests/16");
		request.addHeader("If-None-Match", SIGNED.etag());
		MockHttpServletResponse response = new MockHttpServletResponse();
		assertThat(run(request, response)).isFalse();
		assertThat(response.getStatus()).isEqualTo(304);
		assertThat(response.getHeader("ETag")).isEqualTo(SIGNED.etag());
		assertThat(response.getHeader("Pgext-Signature")).isEqualTo(SIGNED.signature());
		assertThat(response.getHeaderNames()).doesNotContain("Last-Modified", "Content-Encoding");
	}

	@Test
	void everyOtherRequestGoesTheUsualWay() throws Exception {
		MockHttpServletRequest withToken = conditional("/api/v1/compute-manifests/17", null);
		withToken.addHeader("Authorization", "Bearer not-a-token");
		assertThat(run(withToken, new MockHttpServletResponse())).as("a token is checked").isTrue();
		assertThat(run(conditional("/api/v1/compute-manifests/17", "tenant=acme"), new MockHttpServletResponse()))
			.as("a tenant's manifest")
			.isTrue();
		assertThat(run(conditional("/api/v1/compute-manifests/13", null), new MockHttpServletResponse()))
			.as("an unsupported major")
			.isTrue();
		assertThat(run(conditional("/api/v1/compute-manifests/17", "platform=linux-arm64-gnu"),
				new MockHttpServletResponse()))
			.as("a manifest not cached")
			.isTrue();
		assertThat(run(conditional("/api/v1/compute-manifests/17", "platform=x"), new MockHttpServletResponse()))
			.as("a malformed platform")
			.isTrue();
		MockHttpServletRequest head = conditional("/api/v1/compute-manifests/17", null);
		head.setMethod("HEAD");
		assertThat(run(head, new MockHttpServletResponse())).as("a HEAD request").isTrue();
	}

	@Test
	void anAnonymousGetOfACachedPublicManifestIsAnsweredWithItsPreparedBody() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		assertThat(run(new MockHttpServletRequest("GET", "/api/v1/compute-manifests/17"), response)).isFalse();
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getContentAsByteArray()).isEqualTo(BODY);
		assertThat(response.getContentLength()).isEqualTo(BODY.length);
		assertThat(response.getContentType()).isEqualTo("application/json");
		assertThat(response.getHeader("ETag")).isEqualTo(MANIFEST.etag());
		assertThat(response.getHeader("Cache-Control")).contains("must-revalidate");
		assertThat(response.getHeader("Vary")).isEqualTo("Accept-Encoding");
		assertThat(response.getHeader("Last-Modified")).isEqualTo("Mon, 30 Nov 2026 10:00:00 GMT");
		assertThat(response.getHeaderNames()).doesNotContain("Content-Encoding");
		assertThat(this.meters.get("pgext.registry.manifest.requests")
			.tags("outcome", "ok", "scope", "public")
			.counter()
			.count()).isEqualTo(1);
	}

	@Test
	void aClientThatAcceptsGzipGetsTheGzipBodyWithItsOwnEtag() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/compute-manifests/17");
		request.addHeader("Accept-Encoding", "br, gzip;q=0.5");
		MockHttpServletResponse response = new MockHttpServletResponse();
		assertThat(run(request, response)).isFalse();
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getContentAsByteArray()).isEqualTo(GZIP_BODY);
		assertThat(response.getHeader("Content-Encoding")).isEqualTo("gzip");
		assertThat(response.getHeader("ETag")).isEqualTo(MANIFEST.gzipEtag());
	}

	@Test
	void aStaleValidatorGetsTheCurrentBody() throws Exception {
		MockHttpServletRequest stale = new MockHttpServletRequest("GET", "/api/v1/compute-manifests/16");
		stale.addHeader("If-None-Match", "\"sha256:old\"");
		MockHttpServletResponse response = new MockHttpServletResponse();
		assertThat(run(stale, response)).isFalse();
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getContentAsByteArray()).isEqualTo(BODY);
		assertThat(response.getHeader("ETag")).isEqualTo(SIGNED.etag());
		assertThat(response.getHeader("Pgext-Signature")).isEqualTo(SIGNED.signature());
	}

	private static MockHttpServletRequest conditional(String path, String query) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
		request.setQueryString(query);
		request.addHeader("If-None-Match", MANIFEST.etag());
		return request;
	}

	/** Whether the request went on down the chain. */
	private boolean run(MockHttpServletRequest request, MockHttpServletResponse response) throws Exception {
		AtomicBoolean passed = new AtomicBoolean();
		FilterChain chain = (req, res) -> passed.set(true);
		this.filter.doFilter(request, response, chain);
		return passed.get();
	}

}
