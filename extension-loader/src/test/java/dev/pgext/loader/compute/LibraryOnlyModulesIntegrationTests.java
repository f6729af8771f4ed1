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
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgext.loader.DataDirectories;
import dev.pgext.loader.LoaderClient;
import dev.pgext.loader.TestStores;
import dev.pgext.model.Scope;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Contrib modules that are libraries and no extension, published as library-only index
 * entries with the real Postgres 15 files, reach a compute that lacks them:
 * {@code auto_explain} through {@code shared_preload_libraries} (which makes it available
 * without being listed), {@code test_decoding} through the JIT API, and Postgres uses
 * both.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class LibraryOnlyModulesIntegrationTests {

	private static final List<String> LIBRARIES = List.of("auto_explain", "test_decoding", "auth_delay",
			"passwordcheck", "basic_archive", "basebackup_to_shell");

	static Path root;

	static PostgresInstall install;

	static int postgresPort;

	@LocalServerPort
	int port;

	@Autowired
	Compute compute;

	private LoaderClient loader;

	@DynamicPropertySource
	static void compute(DynamicPropertyRegistry registry) throws IOException {
		TestBucket bucket = TestInfrastructure.bucket(LibraryOnlyModulesIntegrationTests.class);
		TestStores.publish(bucket.objectStore(), Scope.PUBLIC, List.of("hstore"), LIBRARIES);
		root = Files.createTempDirectory("pgext-libraries");
		install = TestStores.computeInstall(root.resolve("install"), List.of("hstore"), LIBRARIES);
		DataDirectories.copy(TestStores.PG, root.resolve("data"));
		postgresPort = FreePorts.any();
		Path spec = root.resolve("spec.json");
		Files.writeString(spec, """
				{"pg_major": 15, "install_dir": "%s", "data_dir": "%s", "port": %d,
				 "shared_preload_libraries": ["auto_explain"],
				 "available_extensions": ["hstore", "test_decoding"],
				 "settings": {"fsync": "off", "unix_socket_directories": "", "wal_level": "logical",
				              "max_replication_slots": "4", "max_wal_senders": "4"}}
				""".formatted(install.root(), root.resolve("data"), postgresPort));
		TestStores.loaderProperties(registry, spec, bucket.endpoint(), bucket);
	}

	@AfterAll
	static void cleanUp() throws IOException {
		FileTrees.delete(root);
	}

	@BeforeEach
	void computeIsUp() {
		this.loader = new LoaderClient(this.port);
		await().atMost(Duration.ofMinutes(2)).until(() -> {
			assertThat(this.compute.phase()).as(() -> this.compute.status().problem())
				.isNotIn(Compute.Phase.FAILED, Compute.Phase.STOPPED);
			return this.compute.isRunning();
		});
	}

	@Test
	void aPreloadedLibraryOnlyModuleIsPlacedBeforeStartAndLoaded() throws Exception {
		assertThat(install.pkglibdir().resolve("auto_explain.so")).isRegularFile();
		try (Connection connection = connect();
				Statement sql = connection.createStatement();
				ResultSet rows = sql.executeQuery("SHOW auto_explain.log_min_duration")) {
			rows.next();
			assertThat(rows.getString(1)).isEqualTo("-1");
		}
	}

	@Test
	void aLibraryOnlyModuleIsPlacedByTheJitApiAndServesLogicalDecoding() throws Exception {
		assertThat(install.pkglibdir().resolve("test_decoding.so")).doesNotExist();
		HttpResponse<String> response = this.loader.post("/extension_server/test_decoding?is_library=true");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Pgext-Extension")).hasValue("test_decoding");
		assertThat(install.pkglibdir().resolve("test_decoding.so")).isRegularFile();
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("SELECT pg_create_logical_replication_slot('jit_slot', 'test_decoding')");
			sql.execute("CREATE TABLE decoded (id int)");
			sql.execute("INSERT INTO decoded VALUES (42)");
			try (ResultSet rows = sql.executeQuery(
					"SELECT string_agg(data, ' ') FROM pg_logical_slot_get_changes('jit_slot', NULL, NULL)")) {
				rows.next();
				assertThat(rows.getString(1)).contains("table public.decoded: INSERT: id[integer]:42");
			}
			sql.execute("SELECT pg_drop_replication_slot('jit_slot')");
		}
	}

	@Test
	void aLibraryOnlyModuleTheSpecNeitherListsNorPreloadsIsNotAvailableAndNoneGetsAControlFile() throws Exception {
		assertThat(this.loader.post("/extension_server/passwordcheck.so?is_library=true").statusCode()).isEqualTo(404);
		assertThat(install.pkglibdir().resolve("passwordcheck.so")).doesNotExist();
		assertThat(this.compute.status().extensions()).extracting(DownloadScheduler.ExtensionStatus::name)
			.containsExactlyInAnyOrder("auto_explain", "hstore", "test_decoding");
		for (String library : LIBRARIES) {
			assertThat(install.extensionDir().resolve(library + ".control")).doesNotExist();
		}
	}

	private Connection connect() throws Exception {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres", "postgres", "");
	}

}
