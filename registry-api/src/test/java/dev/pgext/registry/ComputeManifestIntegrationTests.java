package dev.pgext.registry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtIndexJson;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compute manifest as a loader polls it: gzip on request, validators that answer a
 * conditional request, and a change committed elsewhere (another registry instance)
 * reaching this instance's answers through the database's change notification.
 */
class ComputeManifestIntegrationTests extends RegistryIntegrationTest {

	@Test
	void gzipIsSentOnRequestAndEitherEtagRevalidates() throws IOException {
		publishExtension("manifest_gzip", "1.0.0");
		RegistryClient.Response plain = api().get("/api/v1/compute-manifests/15", null);
		RegistryClient.Response gzip = api().get("/api/v1/compute-manifests/15", null,
				Map.of("Accept-Encoding", "br;q=1.0, gzip;q=0.8"));
		assertThat(gzip.status()).isEqualTo(200);
		assertThat(gzip.headers().getFirst("Content-Encoding")).isEqualTo("gzip");
		assertThat(gzip.headers().getVary()).contains("Accept-Encoding");
		byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(gzip.body())).readAllBytes();
		assertThat(unzipped).isEqualTo(plain.body());
		assertThat(plain.headers().getFirst("Content-Encoding")).isNull();
		assertThat(new String(plain.body())).doesNotContain("\n");
		String etag = plain.headers().getETag();
		assertThat(etag).isEqualTo("\"sha256:" + Sha256Digest.of(plain.body()).hex() + "\"");
		assertThat(gzip.headers().getETag()).isNotEqualTo(etag).startsWith(etag.substring(0, etag.length() - 1));
		for (String validator : new String[] { etag, gzip.headers().getETag(), "\"other\", " + etag }) {
			RegistryClient.Response again = api().get("/api/v1/compute-manifests/15", null,
					Map.of("If-None-Match", validator, "Accept-Encoding", "gzip"));
			assertThat(again.status()).as(validator).isEqualTo(304);
			assertThat(again.body()).isEmpty();
			assertThat(again.headers().getETag()).isEqualTo(gzip.headers().getETag());
		}
		RegistryClient.Response refused = api().get("/api/v1/compute-manifests/15", null,
				Map.of("Accept-Encoding", "gzip;q=0"));
		assertThat(refused.headers().getFirst("Content-Encoding")).isNull();
		assertThat(refused.body()).isEqualTo(plain.body());
	}

	@Test
	void lastModifiedAnswersIfModifiedSince() {
		publishExtension("manifest_since", "1.0.0");
		RegistryClient.Response first = api().get("/api/v1/compute-manifests/15", null);
		long lastModified = first.headers().getLastModified();
		assertThat(lastModified).isPositive();
		String since = DateTimeFormatter.RFC_1123_DATE_TIME
			.format(java.time.Instant.ofEpochMilli(lastModified).atZone(ZoneOffset.UTC));
		assertThat(api().get("/api/v1/compute-manifests/15", null, Map.of("If-Modified-Since", since)).status())
			.isEqualTo(304);
		String before = DateTimeFormatter.RFC_1123_DATE_TIME
			.format(java.time.Instant.ofEpochMilli(lastModified - 1000).atZone(ZoneOffset.UTC));
		assertThat(api().get("/api/v1/compute-manifests/15", null, Map.of("If-Modified-Since", before)).status())
			.isEqualTo(200);
		// a non-matching ETag wins over a matching date
		assertThat(api()
			.get("/api/v1/compute-manifests/15", null, Map.of("If-Modified-Since", since, "If-None-Match", "\"x\""))
			.status()).isEqualTo(200);
	}

	@Test
	void aChangeCommittedOutsideThisInstanceReachesItsAnswers() {
		publishExtension("manifest_remote", "1.0.0");
		RegistryClient.Response before = api().get("/api/v1/compute-manifests/15", null);
		assertThat(ExtIndexJson.read(before.body()).find("manifest_remote")).isPresent();
		assertThat(api().get("/api/v1/compute-manifests/15", null, Map.of("If-None-Match", before.headers().getETag()))
			.status()).isEqualTo(304);
		// an autocommit statement, as another registry instance's yank would commit it:
		// no
		// transaction of this instance sees it, only the database's notification
		this.jdbc.sql("update release set yanked_at = now() where scope = '' and distribution = 'manifest_remote'")
			.update();
		Awaitility.await("the yank to reach the manifest")
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> api()
				.get("/api/v1/compute-manifests/15", null, Map.of("If-None-Match", before.headers().getETag()))
				.status() == 200);
		assertThat(ExtIndexJson.read(api().get("/api/v1/compute-manifests/15", null).body()).find("manifest_remote"))
			.isEmpty();
	}

	private void publishExtension(String name, String version) {
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, version),
				Map.of("pg15", TestArtifacts.sqlExtension(name).tarGz()));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

}
