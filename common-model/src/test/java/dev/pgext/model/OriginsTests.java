package dev.pgext.model;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OriginsTests {

	@Test
	void theSameSchemeHostAndPortIsOneOriginWithTheSchemesDefaultPortSpelledOrNot() {
		assertThat(Origins.same(URI.create("https://Registry.example.com/api"),
				URI.create("https://registry.example.com:443/api/v1/files/x")))
			.isTrue();
		assertThat(Origins.same(URI.create("http://127.0.0.1:8080"), URI.create("http://127.0.0.1:8080/a?b=c")))
			.isTrue();
		assertThat(
				Origins.same(URI.create("http://registry.example.com"), URI.create("http://registry.example.com:80/")))
			.isTrue();
	}

	@Test
	void anotherSchemeHostOrPortIsAnotherOrigin() {
		URI registry = URI.create("https://registry.example.com");
		assertThat(Origins.same(registry, URI.create("http://registry.example.com"))).isFalse();
		assertThat(Origins.same(registry, URI.create("https://registry.example.com:8443"))).isFalse();
		assertThat(Origins.same(registry, URI.create("https://bucket.s3.amazonaws.com/blobs/x"))).isFalse();
		assertThat(Origins.same(registry, URI.create("https://registry.example.com.evil.test"))).isFalse();
		assertThat(Origins.same(URI.create("file:/tmp/x"), URI.create("file:/tmp/x"))).isFalse();
	}

	@Test
	void aRedirectIsFollowedToItsResolvedLocationOnlyFromTheRedirectStatusesAndNeverDownToHttp() {
		URI from = URI.create("https://registry.example.com/api/v1/files/ab");
		for (int status : new int[] { 301, 302, 303, 307, 308 }) {
			assertThat(Origins.redirect(from, status, "https://bucket.example.com/blobs/ab?X-Amz-Signature=s"))
				.hasToString("https://bucket.example.com/blobs/ab?X-Amz-Signature=s");
		}
		assertThat(Origins.redirect(from, 302, " /api/v1/files/cd "))
			.hasToString("https://registry.example.com/api/v1/files/cd");
		assertThat(Origins.redirect(from, 200, "https://bucket.example.com/")).isNull();
		assertThat(Origins.redirect(from, 304, "https://bucket.example.com/")).isNull();
		assertThat(Origins.redirect(from, 302, null)).isNull();
		assertThat(Origins.redirect(from, 302, " ")).isNull();
		assertThat(Origins.redirect(from, 302, "http://bucket.example.com/blobs/ab")).isNull();
		assertThat(Origins.redirect(from, 302, "ftp://bucket.example.com/blobs/ab")).isNull();
		assertThat(Origins.redirect(from, 302, "https://bad host/")).isNull();
		assertThat(Origins.redirect(URI.create("http://127.0.0.1:8080/x"), 302, "https://127.0.0.1:8443/y"))
			.hasToString("https://127.0.0.1:8443/y");
	}

}
