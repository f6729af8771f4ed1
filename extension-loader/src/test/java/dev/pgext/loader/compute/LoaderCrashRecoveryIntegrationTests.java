package dev.pgext.loader.compute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.pgext.loader.ChildLoader;
import dev.pgext.loader.FaultyS3Proxy;
import dev.pgext.loader.TestStores;
import dev.pgext.model.Scope;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A loader killed with SIGKILL at any point leaves nothing that stops the next one: its
 * Postgres goes down with it, partial files are removed, and a loader restarted on the
 * same data directory, installation and node cache runs the compute with every file
 * verified, says so in {@code /status} and health, and takes its Postgres down when it
 * stops.
 */
@RealInfrastructure
class LoaderCrashRecoveryIntegrationTests {

	private static final List<String> EXTENSIONS = List.of("pg_stat_statements", "hstore", "pg_trgm", "cube",
			"earthdistance", "citext");

	/** Each step starts a child JVM and Postgres: minutes on a busy 2-core machine. */
	private static final Duration WAIT = Duration.ofMinutes(5);

	@Test
	void aLoaderKilledWhilePlacingAfterStartOrDuringBackgroundDownloadsIsFollowedByOneThatRunsTheCompute(
			TestBucket bucket, @TempDir Path dir) throws Exception {
		ExtIndex index = TestStores.publish(bucket.objectStore(), Scope.PUBLIC, EXTENSIONS);
		PostgresInstall install = TestStores.computeInstall(dir.resolve("install"), EXTENSIONS);
		Path data = dir.resolve("data");
		Path cache = dir.resolve("cache");
		int postgresPort = FreePorts.any();
		Path spec = dir.resolve("spec.json");
		Files.writeString(spec, """
				{"pg_major": 15, "install_dir": "%s", "data_dir": "%s", "port": %d,
				 "shared_preload_libraries": ["pg_stat_statements"],
				 "settings": {"fsync": "off", "unix_socket_directories": ""}}
				""".formatted(install.root(), data, postgresPort));
		Path log = dir.resolve("loaders.log");

		// 1. killed while the server-preload extension streams in, before Postgres ever
		// started
		try (FaultyS3Proxy slow = FaultyS3Proxy.throttled(bucket.endpoint(), 16 * 1024);
				ChildLoader loader = ChildLoader
					.start(properties(spec, cache, bucket, slow.endpoint().toString(), false, "0"), log)) {
			await().atMost(WAIT).until(() -> !partFiles(cache).isEmpty() || !loader.isAlive());
			assertThat(loader.phase()).isEqualTo("STARTING");
			loader.kill();
		}
		assertThat(ChildLoader.postgresProcessesOf(data)).isEmpty();

		// 2. killed right after Postgres accepts connections
		try (ChildLoader loader = ChildLoader
			.start(properties(spec, cache, bucket, bucket.endpoint().toString(), false, "0"), log)) {
			awaitRunning(loader);
			assertThat(ChildLoader.postgresProcessesOf(data)).hasSize(1);
			loader.kill();
		}
		// the parent-death signal makes the orphaned postmaster shut down by itself
		await().atMost(WAIT).until(() -> ChildLoader.postgresProcessesOf(data).isEmpty());

		// 3. killed while background downloads crawl under the bandwidth limit
		try (ChildLoader loader = ChildLoader
			.start(properties(spec, cache, bucket, bucket.endpoint().toString(), true, "16KB"), log)) {
			awaitRunning(loader);
			await().atMost(WAIT).until(() -> extensionsIn(loader, "DOWNLOADING") > 0);
			loader.kill();
		}

		// 4. the next loader runs the compute, and takes its Postgres down when it stops
		ChildLoader loader = ChildLoader.start(properties(spec, cache, bucket, bucket.endpoint().toString(), true, "0"),
				log);
		try {
			JsonNode status = awaitRunning(loader);
			assertThat(status.path("postgres").asString()).isEqualTo("RUNNING");
			assertThat(status.path("pid").asLong()).isEqualTo(postmasterPid(data));
			assertThat(loader.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
			assertThat(loader.get("/actuator/health").body()).contains("\"status\":\"UP\"");
			await().atMost(WAIT).until(() -> extensionsIn(loader, "PLACED") == EXTENSIONS.size());
			for (ExtIndexEntry entry : index.extensions()) {
				for (ExtFile file : entry.files()) {
					assertThat(FilePlacement.hasContent(install.resolve(file.path()), file)).as(file.path()).isTrue();
				}
			}
			assertThat(partFiles(install.root())).isEmpty();
			try (Connection connection = DriverManager
				.getConnection("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres", "postgres", "");
					Statement sql = connection.createStatement()) {
				sql.execute("CREATE EXTENSION IF NOT EXISTS hstore");
				try (ResultSet rows = sql.executeQuery("SELECT ('a=>1'::hstore) -> 'a'")) {
					rows.next();
					assertThat(rows.getString(1)).isEqualTo("1");
				}
			}
			// a JVM ended by SIGTERM exits with 143 once its shutdown hooks (which stop
			// Postgres) ran
			assertThat(loader.stop()).isEqualTo(143);
		}
		finally {
			loader.close();
		}
		assertThat(ChildLoader.postgresProcessesOf(data)).isEmpty();
		assertThat(data.resolve("postmaster.pid")).doesNotExist();
		// "Compute started" only from the three loaders whose Postgres accepted
		// connections
		String logged = Files.readString(log);
		assertThat(logged.split("Compute started", -1)).hasSize(4);
		assertThat(logged.split("Postgres accepts connections", -1)).hasSize(4);
	}

	private static List<String> properties(Path spec, Path cache, TestBucket bucket, String endpoint, boolean prefetch,
			String backgroundBandwidth) {
		return List.of("pgext.loader.spec-file=" + spec, "pgext.loader.cache-dir=" + cache,
				"pgext.loader.s3.endpoint=" + endpoint, "pgext.loader.s3.bucket=" + bucket.name(),
				"pgext.loader.s3.access-key=" + bucket.accessKey(), "pgext.loader.s3.secret-key=" + bucket.secretKey(),
				"pgext.loader.prefetch=" + prefetch, "pgext.loader.background-bandwidth=" + backgroundBandwidth,
				"pgext.loader.postgres-stop-timeout=20s");
	}

	private static JsonNode awaitRunning(ChildLoader loader) {
		await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
			String phase = loader.phase();
			assertThat(phase).as(() -> loader.status().path("problem").asString()).isNotIn("FAILED", "STOPPED");
			assertThat(loader.isAlive()).isTrue();
			return phase.equals("RUNNING");
		});
		return loader.status();
	}

	private static long extensionsIn(ChildLoader loader, String state) {
		List<String> states = new ArrayList<>();
		loader.status().path("extensions").forEach((extension) -> states.add(extension.path("state").asString()));
		return states.stream().filter(state::equals).count();
	}

	private static long postmasterPid(Path data) throws IOException {
		return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
	}

	private static List<Path> partFiles(Path root) {
		try {
			// the loader renames and removes part files while this walks the tree
			return FilePlacement.partFilesUnder(root);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
