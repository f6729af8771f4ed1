package dev.pgext.loader.compute;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgext.loader.FaultyS3Proxy;
import dev.pgext.loader.LoaderClient;
import dev.pgext.loader.TestStores;
import dev.pgext.model.Scope;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.DocumentLinters;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole compute: the loader reads a spec file, places real contrib extensions of
 * Postgres 15 from a real S3 bucket into an installation that lacks them, starts that
 * Postgres and serves JIT requests. Background prefetch is off so that JIT has work to
 * do.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComputeIntegrationTests {

	private static final List<String> PUBLIC = List.of("pg_stat_statements", "hstore", "pg_trgm", "pgcrypto", "isn",
			"cube", "earthdistance");

	private static final List<String> TENANT = List.of("citext");

	static TestBucket bucket;

	static FaultyS3Proxy proxy;

	static Path root;

	static PostgresInstall install;

	static ExtIndex publicIndex;

	static int postgresPort;

	@LocalServerPort
	int port;

	private LoaderClient loader;

	@DynamicPropertySource
	static void compute(DynamicPropertyRegistry registry) throws IOException {
		bucket = TestInfrastructure.bucket(ComputeIntegrationTests.class);
		S3ObjectStore store = bucket.objectStore();
		publicIndex = TestStores.publish(store, Scope.PUBLIC, PUBLIC);
		TestStores.publish(store, Scope.tenant(TenantId.of("acme")), TENANT);
		corrupt(store, publicIndex.find("isn").orElseThrow());
		proxy = FaultyS3Proxy.counting(bucket.endpoint());
		root = Files.createTempDirectory("pgext-compute");
		List<String> removed = new ArrayList<>(PUBLIC);
		removed.addAll(TENANT);
		install = TestStores.computeInstall(root.resolve("install"), removed);
		postgresPort = FreePorts.any();
		Path spec = root.resolve("spec.json");
		Files.writeString(spec, """
				{"tenant": "acme", "pg_major": 15, "install_dir": "%s", "data_dir": "%s", "port": %d,
				 "shared_preload_libraries": ["pg_stat_statements"],
				 "available_extensions": ["pg_stat_statements", "hstore", "pg_trgm", "isn", "cube", "earthdistance",
				                          "citext"],
				 "settings": {"fsync": "off", "unix_socket_directories": ""}}
				""".formatted(install.root(), root.resolve("data"), postgresPort));
		TestStores.loaderProperties(registry, spec, proxy.endpoint(), bucket);
	}

	/**
	 * Replaces the content of the extension's library blob with other bytes of the same
	 * size.
	 */
	private static void corrupt(S3ObjectStore store, ExtIndexEntry entry) {
		ExtFile library = entry.files().stream().filter(ExtFile::isLibrary).findFirst().orElseThrow();
		byte[] content = store.getBytes(StoreLayout.blob(library.sha256())).orElseThrow();
		for (int i = 0; i < content.length; i += 512) {
			content[i] ^= 0x5a;
		}
		store.put(StoreLayout.blob(library.sha256()), content, "application/octet-stream");
	}

	@AfterAll
	static void cleanUp() throws IOException {
		proxy.close();
		// the crash test killed the postmaster: its shared memory outlives the data
		// directory unless a server starts on it once more
		PostgresCluster.releaseAfterCrash(install, root.resolve("data"));
		FileTrees.delete(root);
	}

	@BeforeEach
	void computeIsUp() {
		this.loader = new LoaderClient(this.port);
		Awaitility.await("the compute to become ready")
			.atMost(Duration.ofSeconds(120))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> {
				JsonNode status = this.loader.status();
				assertThat(status.path("phase").asString()).as(status.path("problem").asString())
					.isNotIn("FAILED", "STOPPED");
				return this.loader.get("/actuator/health/readiness").statusCode() == 200;
			});
	}

	@Test
	@Order(1)
	void theServerPreloadedExtensionIsInPlaceAtStartAndCanBeCreated() throws Exception {
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION pg_stat_statements");
			try (ResultSet rows = sql.executeQuery("SELECT count(*) FROM pg_stat_statements")) {
				assertThat(rows.next()).isTrue();
			}
			try (ResultSet rows = sql.executeQuery("SHOW shared_preload_libraries")) {
				rows.next();
				assertThat(rows.getString(1)).isEqualTo("pg_stat_statements");
			}
		}
	}

	@Test
	@Order(2)
	void everyAvailableExtensionIsListedButOnlyItsControlFileIsOnDisk() throws Exception {
		try (Connection connection = connect();
				Statement sql = connection.createStatement();
				ResultSet rows = sql.executeQuery("SELECT count(*) FROM pg_available_extensions "
						+ "WHERE name IN ('hstore', 'pg_trgm', 'citext', 'earthdistance', 'cube')")) {
			rows.next();
			assertThat(rows.getInt(1)).isEqualTo(5);
		}
		assertThat(install.pkglibdir().resolve("hstore.so")).doesNotExist();
		assertThat(install.extensionDir().resolve("pgcrypto.control")).doesNotExist();
	}

	@Test
	@Order(3)
	void aJitRequestPlacesHstoreSoThatItCanBeCreatedAndUsed() throws Exception {
		assertThat(install.pkglibdir().resolve("hstore.so")).doesNotExist();
		HttpResponse<String> response = this.loader.post("/extension_server/hstore.so?is_library=true");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Pgext-Extension")).hasValue("hstore");
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION hstore");
			try (ResultSet rows = sql.executeQuery("SELECT ('a=>1'::hstore) -> 'a'")) {
				rows.next();
				assertThat(rows.getString(1)).isEqualTo("1");
			}
		}
	}

	@Test
	@Order(4)
	void aJitRequestByExtensionNamePlacesItsRequiredExtensionsToo() throws Exception {
		HttpResponse<String> response = this.loader.post("/extension_server/earthdistance?is_library=false");
		assertThat(response.statusCode()).isEqualTo(200);
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION earthdistance CASCADE");
			try (ResultSet rows = sql
				.executeQuery("SELECT round(earth_distance(ll_to_earth(0, 0), ll_to_earth(0, 1)))")) {
				rows.next();
				assertThat(rows.getLong(1)).isBetween(110_000L, 112_000L);
			}
		}
	}

	@Test
	@Order(5)
	void aTenantsPrivateExtensionIsServedToItsCompute() throws Exception {
		assertThat(this.loader.post("/extension_server/citext?is_library=false").statusCode()).isEqualTo(200);
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION citext");
			try (ResultSet rows = sql.executeQuery("SELECT 'ABC'::citext = 'abc'::citext")) {
				rows.next();
				assertThat(rows.getBoolean(1)).isTrue();
			}
		}
	}

	@Test
	@Order(6)
	void fiftyConcurrentJitRequestsForOneExtensionCauseOneDownload() throws Exception {
		ExtIndexEntry trgm = publicIndex.find("pg_trgm").orElseThrow();
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(50);
		try {
			List<Future<Integer>> answers = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				answers.add(pool.submit(() -> {
					go.await();
					return this.loader.post("/extension_server/pg_trgm.so?is_library=true").statusCode();
				}));
			}
			go.countDown();
			for (Future<Integer> answer : answers) {
				assertThat(answer.get(120, TimeUnit.SECONDS)).isEqualTo(200);
			}
		}
		finally {
			pool.shutdownNow();
		}
		for (ExtFile file : trgm.files()) {
			// the control file was written from the index at start, so it needs no
			// download at all
			int expected = file.path().endsWith(".control") ? 0 : 1;
			assertThat(proxy.count("GET", "/" + bucket.name() + "/" + StoreLayout.blob(file.sha256())))
				.as("GETs of " + file.path())
				.isEqualTo(expected);
		}
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION pg_trgm");
			try (ResultSet rows = sql.executeQuery("SELECT similarity('word', 'two words') > 0")) {
				rows.next();
				assertThat(rows.getBoolean(1)).isTrue();
			}
		}
	}

	@Test
	@Order(7)
	void anExtensionTheComputeMayNotUseIsNotFoundAndNothingIsWritten() throws Exception {
		HttpResponse<String> byLibrary = this.loader.post("/extension_server/pgcrypto.so?is_library=true");
		assertThat(byLibrary.statusCode()).isEqualTo(404);
		assertThat(byLibrary.body()).contains("https://pgext.dev/problems/unknown-extension-file");
		assertThat(this.loader.post("/extension_server/pgcrypto?is_library=false").statusCode()).isEqualTo(404);
		assertThat(this.loader.post("/extension_server/no_such_thing.so?is_library=true").statusCode()).isEqualTo(404);
		ExtIndexEntry pgcrypto = publicIndex.find("pgcrypto").orElseThrow();
		for (ExtFile file : pgcrypto.files()) {
			assertThat(install.resolve(file.path())).doesNotExist();
			assertThat(proxy.count("GET", "/" + bucket.name() + "/" + StoreLayout.blob(file.sha256()))).isZero();
		}
	}

	@Test
	@Order(8)
	void aCorruptedBlobFailsEveryWaiterWithTheReasonAndIsNeverPlaced() throws Exception {
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(5);
		List<Future<HttpResponse<String>>> answers = new ArrayList<>();
		try {
			for (int i = 0; i < 5; i++) {
				answers.add(pool.submit(() -> {
					go.await();
					return this.loader.post("/extension_server/isn.so?is_library=true");
				}));
			}
			go.countDown();
			for (Future<HttpResponse<String>> answer : answers) {
				HttpResponse<String> response = answer.get(120, TimeUnit.SECONDS);
				assertThat(response.statusCode()).isEqualTo(500);
				assertThat(response.body()).contains("https://pgext.dev/problems/download-failed")
					.contains("digest-mismatch");
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(install.pkglibdir().resolve("isn.so")).doesNotExist();
		assertThat(TestStores.partFiles(install)).isEmpty();
		JsonNode isn = extension("isn");
		assertThat(isn.path("state").asString()).isEqualTo("FAILED");
		assertThat(isn.path("error").asString()).contains("refused");
		// a failed download is forgotten: the next request tries again (and fails again,
		// for the same reason)
		int before = proxy.countUnder("GET", "/" + bucket.name() + "/blobs/");
		assertThat(this.loader.post("/extension_server/isn.so?is_library=true").statusCode()).isEqualTo(500);
		assertThat(proxy.countUnder("GET", "/" + bucket.name() + "/blobs/")).isGreaterThan(before);
	}

	@Test
	@Order(9)
	void statusAndMetricsTellWhatHappened() throws Exception {
		assertThat(extension("hstore").path("state").asString()).isEqualTo("PLACED");
		assertThat(extension("pg_stat_statements").path("state").asString()).isEqualTo("PLACED");
		assertThat(extension("isn").path("state").asString()).isEqualTo("FAILED");
		JsonNode status = this.loader.status();
		assertThat(status.path("extensions")).hasSize(7);
		assertThat(status.path("phase_millis").has("postgres")).isTrue();
		assertThat(status.has("phaseMillis")).isFalse();
		assertThat(extension("hstore").path("placed_at").asString()).isNotEmpty();
		String metrics = this.loader.get("/actuator/prometheus").body();
		assertThat(metrics.lines().filter((line) -> line.startsWith("# HELP pgext_"))).isNotEmpty()
			.allSatisfy((help) -> assertThat(help).matches("# HELP pgext_\\w+ \\S.*"));
		assertThat(metrics).doesNotContain("_bytes_bytes");
		// Prometheus' own linter: HELP present, base units as suffixes, counters ending
		// in _total; the
		// framework's JVM, process, HTTP and Tomcat metrics included
		DocumentLinters.Outcome promtool = DocumentLinters.promtoolCheckMetrics(metrics);
		assertThat(promtool.output().lines().filter((line) -> !line.isBlank())).as(promtool.output()).isEmpty();
		assertThat(promtool.passed()).as(promtool.output()).isTrue();
		assertThat(metrics).contains("pgext_loader_start_phase_seconds_count{phase=\"preload\"")
			.contains("pgext_loader_jit_wait_seconds_bucket")
			.contains("pgext_loader_download_failures_total{reason=\"digest-mismatch\"")
			.contains("pgext_loader_download_bytes_total{source=\"s3\"")
			.contains("pgext_loader_download_files_total{source=\"s3\"")
			.contains("pgext_loader_queue_depth{priority=\"jit\"");
	}

	@Test
	@Order(10)
	void aPostgresCrashIsReportedInStatusHealthReadinessAndLiveness() throws Exception {
		long pid = this.loader.status().path("pid").asLong();
		assertThat(pid).isPositive();
		new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
		Awaitility.await("the crash to be noticed")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> "FAILED".equals(this.loader.phase()));
		JsonNode status = this.loader.status();
		assertThat(status.path("phase").asString()).isEqualTo("FAILED");
		assertThat(status.path("postgres").asString()).isEqualTo("CRASHED");
		assertThat(status.path("problem").asString()).contains("postgres was killed by signal 9 (SIGKILL)");
		HttpResponse<String> health = this.loader.get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(503);
		assertThat(health.body()).contains("postgres was killed by signal 9 (SIGKILL)");
		assertThat(this.loader.get("/actuator/health/readiness").statusCode()).isEqualTo(503);
		// this loader restarts nothing: its supervisor is asked to restart it
		assertThat(this.loader.get("/actuator/health/liveness").statusCode()).isEqualTo(503);
	}

	private JsonNode extension(String name) throws Exception {
		for (JsonNode extension : this.loader.status().path("extensions")) {
			if (extension.path("name").asString().equals(name)) {
				return extension;
			}
		}
		throw new AssertionError(name + " is not in /status");
	}

	private Connection connect() throws Exception {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres", "postgres", "");
	}

}
