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

}
