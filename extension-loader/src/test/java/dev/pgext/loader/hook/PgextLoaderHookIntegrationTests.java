package dev.pgext.loader.hook;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgext.loader.TestStores;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.PostgresInstalls;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A stock PostgreSQL 15 with the {@code pgext_loader} hook preloaded asks the loader for what
 * it lacks by itself: {@code CREATE EXTENSION} and {@code LOAD} work with no JIT call from
 * outside, a refused extension fails with the hook's SQLSTATE and the loader's reason, and a
 * loader that is down or silent gives a clear error instead of a hang.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class PgextLoaderHookIntegrationTests {

	private static final List<String> PUBLISHED = List.of("pg_stat_statements", "hstore", "pg_trgm", "pgcrypto");

	/** Available to the compute, but published only after it started. */
	private static final String LATER = "citext";

	private static TestBucket bucket;

	private static Path hookLibrary;

	private static Path root;

	private static PostgresInstall install;

	private static int loaderPort;

	private static int postgresPort;

	@Autowired
	MeterRegistry meters;

	@BeforeAll
	static void buildHook() {
		hookLibrary = PgHookBuild.library();
	}

	@DynamicPropertySource
	static void compute(DynamicPropertyRegistry registry) throws IOException {
		bucket = TestInfrastructure.bucket(PgextLoaderHookIntegrationTests.class);
		S3ObjectStore store = bucket.objectStore();
		ExtIndex contrib = TestStores.publish(store, Scope.PUBLIC, PUBLISHED);
		List<ExtIndexEntry> entries = new ArrayList<>(contrib.extensions());
		entries.add(libraryOnly(store, "auto_explain"));
		store.put(StoreLayout.extIndex(Scope.PUBLIC, TestStores.PG),
				ExtIndexJson.write(ExtIndex.of(TestStores.PG, null, entries)), "application/json");

		root = Files.createTempDirectory("pgext-hook");
		List<String> absent = new ArrayList<>(PUBLISHED);
		absent.add(LATER);
		install = TestStores.computeInstall(root.resolve("install"), absent);
		Files.delete(install.pkglibdir().resolve("auto_explain.so"));
		loaderPort = freePort();
		postgresPort = freePort();
		Path spec = root.resolve("spec.json");
		Files.writeString(spec, """
				{"pg_major": 15, "install_dir": "%s", "data_dir": "%s", "port": %d,
				 "shared_preload_libraries": ["pg_stat_statements"],
				 "available_extensions": ["pg_stat_statements", "hstore", "pg_trgm", "auto_explain", "citext"],
				 "settings": {"fsync": "off", "unix_socket_directories": ""}}
				""".formatted(install.root(), root.resolve("data"), postgresPort));
		registry.add("server.port", () -> loaderPort);
		registry.add("pgext.loader.spec-file", spec::toString);
		registry.add("pgext.loader.s3.endpoint", () -> bucket.endpoint().toString());
		registry.add("pgext.loader.s3.bucket", bucket::name);
		registry.add("pgext.loader.s3.access-key", bucket::accessKey);
		registry.add("pgext.loader.s3.secret-key", bucket::secretKey);
		registry.add("pgext.loader.prefetch", () -> "false");
		registry.add("pgext.loader.hook.library", () -> hookLibrary.toString());
		registry.add("pgext.loader.hook.server", () -> "127.0.0.1:" + loaderPort);
		registry.add("pgext.loader.index-refresh-interval", () -> "0s");
	}

	/** An index entry for a library that no extension's control file names, such as auto_explain. */
	private static ExtIndexEntry libraryOnly(S3ObjectStore store, String library) throws IOException {
		Path file = PostgresInstalls.shared(15).pkglibdir().resolve(library + ".so");
		Sha256Digest digest = Sha256Digest.of(file);
		store.put(StoreLayout.blob(digest), file, "application/octet-stream");
		return new ExtIndexEntry(ExtensionName.of(library), ExtensionVersion.of("15"), null, null,
				List.of(new ExtFile("lib/" + library + ".so", digest, Files.size(file))), List.of(library), List.of(),
				PreloadNeed.NONE, false, true);
	}

	@AfterAll
	static void cleanUp() throws IOException {
		if (root != null) {
			PostgresBinaries.deleteTree(root);
		}
	}

	@BeforeEach
	void computeIsReady() throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
		while (System.nanoTime() < deadline) {
			HttpResponse<String> readiness = client.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + loaderPort + "/actuator/health/readiness"))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (readiness.statusCode() == 200) {
				return;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("the compute did not become ready");
	}

	@Test
	void aPlainCreateExtensionFetchesTheExtensionThroughTheHook() throws Exception {
		assertThat(install.pkglibdir().resolve("hstore.so")).doesNotExist();
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			try (ResultSet rows = sql.executeQuery("SHOW shared_preload_libraries")) {
				rows.next();
				assertThat(rows.getString(1)).isEqualTo("pgext_loader,pg_stat_statements");
			}
			sql.execute("CREATE EXTENSION hstore");
			try (ResultSet rows = sql.executeQuery("SELECT ('a=>1'::hstore) -> 'a'")) {
				rows.next();
				assertThat(rows.getString(1)).isEqualTo("1");
			}
		}
		assertThat(install.pkglibdir().resolve("hstore.so")).isRegularFile();
	}

	@Test
	void anExtensionPublishedAfterTheComputeStartedCanBeCreatedWithoutARestart() throws Exception {
		S3ObjectStore store = bucket.objectStore();
		ExtIndex index = ExtIndexJson.read(store.getBytes(StoreLayout.extIndex(Scope.PUBLIC, TestStores.PG)).orElseThrow());
		ContribExtension citext = ContribExtension.of(PostgresInstalls.shared(15), LATER);
		for (Path file : citext.files().values()) {
			store.put(StoreLayout.blob(Sha256Digest.of(file)), file, "application/octet-stream");
		}
		List<ExtIndexEntry> entries = new ArrayList<>(index.extensions());
		entries.add(TestStores.entry(citext));
		store.put(StoreLayout.extIndex(Scope.PUBLIC, TestStores.PG),
				ExtIndexJson.write(ExtIndex.of(TestStores.PG, null, entries)), "application/json");

		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION citext");
			try (ResultSet rows = sql.executeQuery("SELECT 'PgExt'::citext = 'pgext'")) {
				rows.next();
				assertThat(rows.getBoolean(1)).isTrue();
			}
		}
	}

	@Test
	void filesAlreadyInPlaceCostNoRequest() throws Exception {
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm");
			double requests = jitRequests();
			sql.execute("DROP EXTENSION pg_trgm");
			sql.execute("CREATE EXTENSION pg_trgm");
			sql.execute("LOAD 'pg_trgm'");
			assertThat(jitRequests()).isEqualTo(requests);
		}
	}

	@Test
	void loadFetchesALibrary() throws Exception {
		assertThat(install.pkglibdir().resolve("auto_explain.so")).doesNotExist();
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("LOAD 'auto_explain'");
			try (ResultSet rows = sql.executeQuery("SHOW auto_explain.log_min_duration")) {
				rows.next();
				assertThat(rows.getString(1)).isEqualTo("-1");
			}
		}
		assertThat(install.pkglibdir().resolve("auto_explain.so")).isRegularFile();
	}

	@Test
	void anExtensionThisComputeMayNotUseFailsWithTheHooksSqlstateAndTheLoadersReason() throws Exception {
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			assertThatExceptionOfType(PSQLException.class).isThrownBy(() -> sql.execute("CREATE EXTENSION pgcrypto"))
				.satisfies((ex) -> {
					assertThat(ex.getSQLState()).isEqualTo("PX001");
					assertThat(ex.getServerErrorMessage().getMessage())
						.isEqualTo("extension \"pgcrypto\" is not available to this compute");
					assertThat(ex.getServerErrorMessage().getDetail()).isEqualTo("The extension loader answered 404: "
							+ "no extension available to this compute provides file or extension pgcrypto.control");
				});
		}
		assertThat(install.extensionDir().resolve("pgcrypto.control")).doesNotExist();
		assertThat(install.pkglibdir().resolve("pgcrypto.so")).doesNotExist();
	}

	@Test
	void aLoaderThatIsDownGivesAClearErrorAtOnce() throws Exception {
		int closedPort = freePort();
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("SET statement_timeout = '30s'");
			sql.execute("SET pgext_loader.server = '127.0.0.1:" + closedPort + "'");
			assertThatExceptionOfType(PSQLException.class).isThrownBy(() -> sql.execute("CREATE EXTENSION pg_nothere"))
				.satisfies((ex) -> {
					assertThat(ex.getSQLState()).isEqualTo("PX003");
					assertThat(ex.getServerErrorMessage().getMessage()).contains("is unreachable");
					assertThat(ex.getServerErrorMessage().getDetail()).contains("Connection refused");
				});
		}
	}

	@Test
	void aLoaderThatNeverAnswersTimesOutAndTheWaitIsVisible() throws Exception {
		try (ServerSocket silent = new ServerSocket(0); Connection watcher = connect();
				Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("SET statement_timeout = '30s'");
			sql.execute("SET pgext_loader.server = '127.0.0.1:" + silent.getLocalPort() + "'");
			sql.execute("SET pgext_loader.timeout = '3s'");
			CompletableFuture<SQLException> failure = CompletableFuture.supplyAsync(() -> {
				try {
					sql.execute("CREATE EXTENSION pg_silent");
					return null;
				}
				catch (SQLException ex) {
					return ex;
				}
			});
			assertThat(waitEventOfTheCreate(watcher)).isEqualTo("Extension/Extension");
			SQLException ex = failure.get(60, TimeUnit.SECONDS);
			assertThat((Throwable) ex).isInstanceOf(PSQLException.class);
			assertThat(ex.getSQLState()).isEqualTo("PX003");
			assertThat(((PSQLException) ex).getServerErrorMessage().getDetail())
				.isEqualTo("no answer within 3000 ms (pgext_loader.timeout)");
		}
	}

	private static String waitEventOfTheCreate(Connection watcher) throws Exception {
		for (int i = 0; i < 100; i++) {
			try (Statement sql = watcher.createStatement(); ResultSet rows = sql.executeQuery(
					"SELECT wait_event_type || '/' || wait_event FROM pg_stat_activity "
							+ "WHERE query = 'CREATE EXTENSION pg_silent' AND wait_event IS NOT NULL")) {
				if (rows.next()) {
					return rows.getString(1);
				}
			}
			Thread.sleep(20);
		}
		return "not seen";
	}

	private double jitRequests() {
		return this.meters.find("pgext.loader.jit.wait").timers().stream().mapToDouble((t) -> t.count()).sum();
	}

	private static Connection connect() throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres", "postgres", "");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
