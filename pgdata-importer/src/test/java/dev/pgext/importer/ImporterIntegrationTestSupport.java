package dev.pgext.importer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgext.importer.keyspace.Key;
import dev.pgext.importer.run.Failpoints;
import dev.pgext.importer.run.ImportLayout;
import dev.pgext.importer.run.ImportService;
import dev.pgext.importer.run.IndexPart;
import dev.pgext.importer.run.LayerRebuild;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.place.JvmOwnedDirectories;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One importer per test JVM against a real S3 endpoint, with small jobs so that a small
 * PGDATA makes several layers, a tenant with four shards, and a control-plane receiver (a
 * JDK HTTP server) that can be taken down.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ImporterIntegrationTestSupport {

	/** A tenant with one shard. */
	protected static final String TENANT = "0123456789abcdef0123456789abcdef";

	/** A tenant with four shards and stripes of 8 blocks. */
	protected static final String SHARDED_TENANT = "fedcba9876543210fedcba9876543210";

	protected static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	protected static final ControlPlane CONTROL_PLANE = new ControlPlane();

	/** The timeline of {@link #referenceImport()}, on shard 0 of {@link #TENANT}. */
	protected static final String REFERENCE = "00000000000000000000000000000001";

	/** The storage buckets that have the reference import (one per context). */
	private static final Set<String> REFERENCE_CREATED = new HashSet<>();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestBucket bucket = TestInfrastructure.bucket(ImporterIntegrationTestSupport.class);
		// a subclass's @DynamicPropertySource runs first and would be overwritten here:
		// it sets the
		// pgext.test.importer.* names these placeholders read instead
		registry.add("pgext.importer.s3.endpoint", () -> "${pgext.test.importer.endpoint:" + bucket.endpoint() + "}");
		registry.add("pgext.importer.s3.bucket", () -> "${pgext.test.importer.bucket:" + bucket.name() + "}");
		registry.add("pgext.importer.s3.access-key", bucket::accessKey);
		registry.add("pgext.importer.s3.secret-key", bucket::secretKey);
		// a failed store call is tried again after 10 ms, not 200: the in-process
		// endpoint now and then closes a kept-alive connection under the next request,
		// and the fault test meets a failure in every third request
		registry.add("pgext.importer.s3.initial-backoff", () -> "10ms");
		registry.add("pgext.importer.instance-id", () -> "${pgext.test.importer.instance-id:importer-under-test}");
		registry.add("pgext.importer.job-size", () -> "2MB");
		registry.add("pgext.importer.max-range", () -> "512KB");
		registry.add("pgext.importer.memory-budget", () -> "4MB");
		registry.add("pgext.importer.job-concurrency", () -> "${pgext.test.importer.job-concurrency:2}");
		registry.add("pgext.importer.lease", () -> "10s");
		registry.add("pgext.importer.rescan-interval", () -> "1h");
		registry.add("pgext.importer.pgdata-poll-initial", () -> "100ms");
		registry.add("pgext.importer.pgdata-poll-max", () -> "500ms");
		registry.add("pgext.importer.pgdata-wait-timeout", () -> "6s");
		registry.add("pgext.importer.tenants." + SHARDED_TENANT + ".count", () -> "4");
		registry.add("pgext.importer.tenants." + SHARDED_TENANT + ".stripe-size", () -> "8");
		registry.add("pgext.importer.upcall.url", () -> CONTROL_PLANE.url().toString());
		registry.add("pgext.importer.upcall.initial-backoff", () -> "100ms");
		registry.add("pgext.importer.upcall.max-backoff", () -> "400ms");
		String workDirectory = workDirectory("").toString();
		registry.add("pgext.importer.work-dir", () -> workDirectory);
	}

	/**
	 * A work directory of this test JVM, {@code target/importer-work/<pid><suffix>}: the
	 * module's test JVMs (surefire forks) never share one. Those of JVMs that are gone
	 * are removed.
	 */
	protected static Path workDirectory(String suffix) {
		try {
			return JvmOwnedDirectories.own(Path.of("target", "importer-work").toAbsolutePath(), "", suffix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@LocalServerPort
	protected int port;

	@Autowired
	protected ImportService imports;

	@Autowired
	protected Failpoints failpoints;

	@Autowired
	protected S3ObjectStore storage;

	protected HttpResponse<String> post(String tenant, int shard, String body) throws Exception {
		return send(HttpRequest.newBuilder(uri(tenant, shard, ""))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build());
	}

	/**
	 * A POST of a JSON body to any path of the service, such as Neon's creation route.
	 */
	protected HttpResponse<String> postJson(String path, String body) throws Exception {
		return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build());
	}

	/** A GET of any path of the service, such as {@code /actuator/health}. */
	protected HttpResponse<String> get(String path) throws Exception {
		return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build());
	}

	protected HttpResponse<String> get(String tenant, int shard, String timeline) throws Exception {
		return send(HttpRequest.newBuilder(uri(tenant, shard, "/" + timeline)).build());
	}

	protected HttpResponse<String> retry(String tenant, int shard, String timeline) throws Exception {
		return send(HttpRequest.newBuilder(uri(tenant, shard, "/" + timeline + "/retry"))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build());
	}

	protected HttpResponse<String> delete(String tenant, int shard, String timeline) throws Exception {
		return send(HttpRequest.newBuilder(uri(tenant, shard, "/" + timeline)).DELETE().build());
	}

	protected static String createBody(String timeline, String key, String bucket, String prefix) {
		return "{\"timeline_id\":\"" + timeline + "\",\"import_pgdata\":{\"idempotency_key\":\"" + key
				+ "\",\"location\":{\"bucket\":\"" + bucket + "\",\"prefix\":\"" + prefix + "\"}}}";
	}

	private static final Pattern COMPARED = Pattern.compile(
			"(global|base/[0-9]+)/([0-9]+(_fsm|_vm|_init)?(\\.[0-9]+)?|pg_filenode\\.map)|global/pg_control|pg_xact/.*|pg_multixact/.*");

	/** The {@code index_part.json} of a timeline shard. */
	protected IndexPart indexPart(String tenant, String slug, String timeline) {
		return IndexPart.fromJson(this.storage
			.getBytes(ImportLayout.TENANTS + tenant + "-" + slug + "/timelines/" + timeline + "/index_part.json")
			.orElseThrow());
	}

	/** Rebuilds the PGDATA files the layers of {@code parts} hold into {@code target}. */
	protected void rebuild(List<IndexPart> parts, Path target) throws IOException {
		FileTrees.delete(target);
		Map<Key, byte[]> values = LayerRebuild.readAll(this.storage, parts,
				target.resolveSibling(target.getFileName() + "-layers"));
		LayerRebuild.writeFiles(values, target);
	}

	/**
	 * Every file the layers hold is in {@code rebuilt} with the bytes it has in
	 * {@code source}.
	 */
	protected static void assertSameFiles(Path source, Path rebuilt) throws IOException {
		List<String> expected = PgdataFixture.files(source)
			.stream()
			.filter((f) -> COMPARED.matcher(f).matches())
			.toList();
		assertThat(expected).hasSizeGreaterThan(500);
		assertThat(PgdataFixture.files(rebuilt)).containsExactlyInAnyOrderElementsOf(expected);
		for (String file : expected) {
			assertThat(Files.readAllBytes(rebuilt.resolve(file))).as(file)
				.isEqualTo(Files.readAllBytes(source.resolve(file)));
		}
	}

	/** The completion status object of one timeline shard in the input location. */
	protected static String statusKey(String prefix, String tenant, String timeline, String shardSlug) {
		return prefix + "/status/" + tenant + "/" + timeline + "/shard-" + shardSlug;
	}

	/**
	 * How often the tests look at what an import does: from the first moment, every 20
	 * ms. A status read is answered from memory while the import runs, and most imports
	 * of these tests end within a second, so a longer interval (or Awaitility's default
	 * first delay of one interval) would mostly add waiting.
	 */
	protected static final Duration POLL = Duration.ofMillis(20);

	/**
	 * The uninterrupted single-shard import of the whole fixture
	 * ({@link PgdataFixture#uploadedOnce}), created the first time a test of this JVM
	 * asks for it: the tests that compare with it, and those that read the layers of a
	 * whole import, share it. Waits for it to end and returns its final status.
	 */
	protected JsonNode referenceImport() throws Exception {
		synchronized (REFERENCE_CREATED) {
			if (!REFERENCE_CREATED.contains(this.storage.bucket())) {
				String prefix = PgdataFixture.uploadedOnce(this.storage);
				var created = post(TENANT, 0, createBody(REFERENCE, "key-reference", this.storage.bucket(), prefix));
				assertThat(created.statusCode()).isEqualTo(201);
				// 201 means the record is durable already
				assertThat(this.storage.head("tenants/" + TENANT + "-0001/timelines/" + REFERENCE + "/index_part.json"))
					.isPresent();
				REFERENCE_CREATED.add(this.storage.bucket());
			}
		}
		return awaitEnd(TENANT, 0, REFERENCE, Duration.ofSeconds(90));
	}

	/**
	 * Polls the timeline until its import leaves {@code in_progress}; returns the final
	 * status. An answer without a state (a problem: the storage bucket did not answer) is
	 * polled again.
	 */
	protected JsonNode awaitEnd(String tenant, int shard, String timeline, Duration timeout) {
		return Awaitility.await("the import of " + timeline + " to end")
			.atMost(timeout)
			.pollDelay(Duration.ZERO)
			.pollInterval(POLL)
			.until(() -> JSON.readTree(get(tenant, shard, timeline).body()),
					(status) -> status.hasNonNull("state") && !"in_progress".equals(status.path("state").asString()));
	}

	/** Polls until {@code condition} holds. */
	protected static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition) {
		Awaitility.await(what)
			.atMost(timeout)
			.pollDelay(Duration.ZERO)
			.pollInterval(POLL)
			.until(condition::getAsBoolean);
	}

	private URI uri(String tenant, int shard, String rest) {
		return URI.create(
				"http://127.0.0.1:" + this.port + "/v1/tenants/" + tenant + "/shards/" + shard + "/timelines" + rest);
	}

	private static HttpResponse<String> send(HttpRequest request) throws Exception {
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The control plane's completion endpoint: records every notification; can be down.
	 */
	protected static final class ControlPlane {

		private final int port;

		private final List<JsonNode> received = new CopyOnWriteArrayList<>();

		private HttpServer server;

		ControlPlane() {
			this.port = FreePorts.any();
			up();
		}

		URI url() {
			return URI.create("http://127.0.0.1:" + this.port + "/storage/api/v1/import_complete");
		}

		public synchronized void up() {
			if (this.server != null) {
				return;
			}
			try {
				this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", this.port), 0);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.server.createContext("/storage/api/v1/import_complete", (exchange) -> {
				byte[] body = exchange.getRequestBody().readAllBytes();
				this.received.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
				exchange.sendResponseHeaders(200, -1);
				exchange.close();
			});
			this.server.start();
		}

		public synchronized void down() {
			if (this.server != null) {
				this.server.stop(0);
				this.server = null;
			}
		}

		/** Notifications received for {@code timeline}. */
		public List<JsonNode> received(String timeline) {
			return this.received.stream().filter((n) -> timeline.equals(n.path("timeline_id").asString())).toList();
		}

	}

}
