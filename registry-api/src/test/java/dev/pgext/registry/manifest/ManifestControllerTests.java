package dev.pgext.registry.manifest;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ManifestControllerTests {

	private static final ManifestCache.Manifest MANIFEST = new ManifestCache.Manifest(new byte[0], new byte[0],
			"\"sha256:ab\"", "\"sha256:ab+gzip\"", Instant.parse("2026-11-30T10:00:00Z"), null, null);

	@Test
	void gzipIsChosenOnlyWhenListedWithoutAZeroQuality() {
		assertThat(ManifestController.acceptsGzip("gzip")).isTrue();
		assertThat(ManifestController.acceptsGzip("br;q=1.0, GZIP;q=0.5")).isTrue();
		assertThat(ManifestController.acceptsGzip("*")).isTrue();
		assertThat(ManifestController.acceptsGzip(null)).isFalse();
		assertThat(ManifestController.acceptsGzip("identity, br")).isFalse();
		assertThat(ManifestController.acceptsGzip("gzip;q=0")).isFalse();
		assertThat(ManifestController.acceptsGzip("gzip; q=0.000")).isFalse();
		assertThat(ManifestController.acceptsGzip("gzipx")).isFalse();
	}

	@Test
	void eitherEtagOrAWildcardMeansNotModified() {
		assertThat(ManifestController.notModified("\"sha256:ab\"", null, MANIFEST)).isTrue();
		assertThat(ManifestController.notModified("\"x\", W/\"sha256:ab+gzip\"", null, MANIFEST)).isTrue();
		assertThat(ManifestController.notModified("*", null, MANIFEST)).isTrue();
		assertThat(ManifestController.notModified("\"sha256:abc\"", null, MANIFEST)).isFalse();
	}

	@Test
	void ifModifiedSinceCountsOnlyWithoutIfNoneMatch() {
		String at = "Mon, 30 Nov 2026 10:00:00 GMT";
		assertThat(ManifestController.notModified(null, at, MANIFEST)).isTrue();
		assertThat(ManifestController.notModified(null, "Mon, 30 Nov 2026 09:59:59 GMT", MANIFEST)).isFalse();
		assertThat(ManifestController.notModified("\"other\"", at, MANIFEST)).isFalse();
		assertThat(ManifestController.notModified(null, "yesterday", MANIFEST)).isFalse();
	}

}
