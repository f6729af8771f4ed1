package dev.pgext.registry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.catalina.connector.Connector;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.registry.catalog.CatalogEntries;
import dev.pgext.registry.events.EventTypes;
import dev.pgext.registry.events.Events;
import dev.pgext.registry.projection.Projections;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compute manifest as a loader polls it: gzip on request, validators that answer a
 * conditional request, and a change committed elsewhere (another registry instance)
 * reaching this instance's answers through the database's change notification.
 */
class ComputeManifestIntegrationTests extends RegistryIntegrationTest {

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private ServletWebServerApplicationContext context;

	@Autowired
	private DataSource dataSource;

	@Autowired
	private Projections projections;

	@Autowired
	private CatalogEntries catalog;

	@Autowired
	private Events events;

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
	void aMajorAndPlatformWithoutAnyReleaseHaveAnEmptyManifestWithoutADate() {
		// no test publishes for 16 on musl: the newest release date is SQL's null
		RegistryClient.Response empty = api().get("/api/v1/compute-manifests/16?platform=linux-arm64-musl", null);
		assertThat(empty.status()).isEqualTo(200);
		assertThat(empty.headers().getETag()).isNotBlank();
		assertThat(empty.headers().getLastModified()).isEqualTo(-1);
		assertThat(empty.text()).doesNotContain("\"name\"");
		assertThat(api()
			.get("/api/v1/compute-manifests/16?platform=linux-arm64-musl", null,
					Map.of("If-None-Match", empty.headers().getETag()))
			.status()).isEqualTo(304);
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
		// the yank as another registry instance commits it (its catalog listing, outbox
		// event and projection runs with it), in a transaction of a manager this
		// instance does not listen to: no transaction of this instance sees it, only
		// the database's notification. A bare update would also leave the store's
		// index naming the release, for whichever test compares the two next.
		new TransactionTemplate(new DataSourceTransactionManager(this.dataSource)).executeWithoutResult((status) -> {
			this.jdbc.sql("update release set yanked_at = now() where scope = '' and distribution = 'manifest_remote'")
				.update();
			this.catalog.refresh("", List.of("manifest_remote"));
			this.projections.requestStore(Scope.PUBLIC, List.of(PgMajor.of(15)), "another-instance");
			this.events.record(EventTypes.RELEASE_YANKED, "manifest_remote", null, "another-instance",
					Map.of("version", "1.0.0"));
		});
		Awaitility.await("the yank to reach the manifest")
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> api()
				.get("/api/v1/compute-manifests/15", null, Map.of("If-None-Match", before.headers().getETag()))
				.status() == 200);
		assertThat(ExtIndexJson.read(api().get("/api/v1/compute-manifests/15", null).body()).find("manifest_remote"))
			.isEmpty();
	}

	@Test
	void aCachedManifestIsServedWithTheControllersBytesAndHeaders() {
		publishExtension("manifest_same", "1.0.0");
		// the publish's notification reaches this instance's listener a moment after the
		// commit and drops what was cached before it arrived; once the projections the
		// publish started have run, nothing is left to drop what the controller caches
		awaitProjections();
		for (Map<String, String> request : List.of(Map.<String, String>of(), Map.of("Accept-Encoding", "gzip"),
				Map.of("If-None-Match", "\"sha256:old\""))) {
			// a token takes the request through the controller, which caches the
			// manifest;
			// the anonymous one is then answered ahead of Spring MVC, which records no
			// HTTP observation for it
			double observed = observedManifestRequests();
			RegistryClient.Response controller = api().get("/api/v1/compute-manifests/15", ADMIN_TOKEN, request);
			Awaitility.await().until(() -> observedManifestRequests() == observed + 1);
			RegistryClient.Response cached = api().get("/api/v1/compute-manifests/15", null, request);
			api().get("/api/v1/compute-manifests/15", ADMIN_TOKEN, request);
			Awaitility.await().until(() -> observedManifestRequests() == observed + 2);
			assertThat(observedManifestRequests()).as("the anonymous request bypassed Spring MVC")
				.isEqualTo(observed + 2);
			assertThat(cached.status()).as(request.toString()).isEqualTo(controller.status()).isEqualTo(200);
			assertThat(cached.body()).as(request.toString()).isEqualTo(controller.body()).isNotEmpty();
			assertThat(sent(cached.headers())).as(request.toString()).isEqualTo(sent(controller.headers()));
		}
	}

	@Test
	void theConnectorWritesAManifestInFewSocketWrites() {
		Connector connector = ((TomcatWebServer) this.context.getWebServer()).getTomcat()
			.getService()
			.findConnectors()[0];
		assertThat(connector.getProperty("socket.appWriteBufSize")).as("pgext.registry.connector.socket-write-buffer")
			.hasToString(Long.toString(64 * 1024));
	}

	private double observedManifestRequests() {
		return this.meters.find("http.server.requests")
			.tag("uri", "/api/v1/compute-manifests/{pgMajor}")
			.timers()
			.stream()
			.mapToLong(Timer::count)
			.sum();
	}

	/** The headers of an answer but those that vary from one answer to the next. */
	private static Map<String, List<String>> sent(HttpHeaders headers) {
		Map<String, List<String>> sent = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		headers.forEach(sent::put);
		sent.remove(HttpHeaders.DATE);
		sent.remove(HttpHeaders.CONNECTION);
		sent.remove("Keep-Alive");
		return sent;
	}

	private void publishExtension(String name, String version) {
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, version),
				Map.of("pg15", TestArtifacts.sqlExtension(name).tarGz()));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

}
