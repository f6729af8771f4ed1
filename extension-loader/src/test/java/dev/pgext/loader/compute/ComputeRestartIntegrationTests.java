package dev.pgext.loader.compute;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.loader.DataDirectories;
import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.TestStores;
import dev.pgext.loader.fetch.BandwidthLimiter;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.S3ExtensionSource;
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

/**
 * After start: a compute restarted on an existing data directory with a fresh
 * installation has its session preload library in place before it is ready (no session
 * could connect without it) and gets the extensions created in its databases back without
 * any JIT request; with prefetch on, every available extension arrives in the background,
 * throttled.
 */
@RealInfrastructure
class ComputeRestartIntegrationTests {

	private static final List<String> EXTENSIONS = List.of("hstore", "pg_trgm", "pg_stat_statements");

	@Test
	void aRestartedComputePlacesItsSessionPreloadBeforeReadyAndItsInstalledExtensionsWithoutJit(TestBucket bucket,
			@TempDir Path dir) throws Exception {
		TestStores.publish(bucket.objectStore(), Scope.PUBLIC, EXTENSIONS);
		ExtensionSource source = new S3ExtensionSource(bucket.objectStore());
		Path data = DataDirectories.copy(TestStores.PG, dir.resolve("data"));

		Compute first = compute(source, dir.resolve("cache"));
		try {
			first.startAndWait(spec(TestStores.computeInstall(dir.resolve("first"), EXTENSIONS), data, List.of()));
			assertThat(first.isRunning()).as(String.valueOf(first.status().problem())).isTrue();
			assertThat(first.placeNow("hstore", false)).isPresent();
			try (Connection connection = connect(first); Statement sql = connection.createStatement()) {
				sql.execute("CREATE EXTENSION hstore");
			}
		}
		finally {
			first.destroy();
		}

		PostgresInstall fresh = TestStores.computeInstall(dir.resolve("second"), EXTENSIONS);
		Compute second = compute(source, dir.resolve("cache"));
		try {
			second.startAndWait(spec(fresh, data, List.of("pg_trgm")));
			assertThat(second.isRunning()).as(String.valueOf(second.status().problem())).isTrue();
			assertThat(state(second, "pg_trgm")).isEqualTo(DownloadScheduler.State.PLACED);
			Awaitility.await("hstore to be prefetched")
				.atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> state(second, "hstore") == DownloadScheduler.State.PLACED);
			assertThat(state(second, "hstore")).isEqualTo(DownloadScheduler.State.PLACED);
			assertThat(state(second, "pg_stat_statements")).isEqualTo(DownloadScheduler.State.AVAILABLE);
			try (Connection connection = connect(second);
					Statement sql = connection.createStatement();
					ResultSet rows = sql.executeQuery(
							"SELECT ('a=>1'::hstore) -> 'a', current_setting('pg_trgm.similarity_threshold')")) {
				rows.next();
				assertThat(rows.getString(1)).isEqualTo("1");
				assertThat(rows.getString(2)).isEqualTo("0.3");
			}
		}
		finally {
			second.destroy();
		}
	}

	@Test
	void withPrefetchEveryAvailableExtensionArrivesAfterStartUnderTheBandwidthLimit(TestBucket bucket,
			@TempDir Path dir) throws Exception {
		ExtIndex index = TestStores.publish(bucket.objectStore(), Scope.PUBLIC, EXTENSIONS);
		ExtensionSource source = new S3ExtensionSource(bucket.objectStore());
		PostgresInstall install = TestStores.computeInstall(dir.resolve("install"), EXTENSIONS);
		Compute compute = compute(source, null, BandwidthLimiter.of(512 * 1024), true);
		try {
			compute.startAndWait(spec(install, DataDirectories.copy(TestStores.PG, dir.resolve("data")), List.of()));
			assertThat(compute.isRunning()).as(String.valueOf(compute.status().problem())).isTrue();
			Awaitility.await("every extension to be prefetched")
				.atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> compute.status()
					.extensions()
					.stream()
					.allMatch((e) -> e.state() == DownloadScheduler.State.PLACED));
			assertThat(compute.status().extensions()).extracting(DownloadScheduler.ExtensionStatus::state)
				.containsOnly(DownloadScheduler.State.PLACED);
			for (ExtIndexEntry entry : index.extensions()) {
				for (ExtFile file : entry.files()) {
					assertThat(FilePlacement.hasContent(install.resolve(file.path()), file)).as(file.path()).isTrue();
				}
			}
		}
		finally {
			compute.destroy();
		}
	}

	private static Compute compute(ExtensionSource source, Path cache) {
		return compute(source, cache, null, false);
	}

	private static Compute compute(ExtensionSource source, Path cache, BandwidthLimiter limiter, boolean prefetch) {
		LoaderProperties properties = LoaderProperties.defaults().withWorkers(2, prefetch);
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		return TestComputes.compute(properties, source, TestComputes.placer(source, cache, limiter, 3, meters), meters);
	}

	private static ComputeSpec spec(PostgresInstall install, Path data, List<String> sessionPreload) {
		return new ComputeSpec(null, 15, install.root().toString(), data.toString(), FreePorts.any(), List.of(),
				sessionPreload, List.of(), Map.of("fsync", "off", "unix_socket_directories", ""));
	}

	private static DownloadScheduler.State state(Compute compute, String name) {
		return compute.status()
			.extensions()
			.stream()
			.filter((e) -> e.name().equals(name))
			.findFirst()
			.orElseThrow()
			.state();
	}

	private static Connection connect(Compute compute) throws Exception {
		return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + compute.port() + "/postgres",
				"postgres", "");
	}

}
