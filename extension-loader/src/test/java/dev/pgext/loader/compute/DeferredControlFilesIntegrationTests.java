package dev.pgext.loader.compute;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

import dev.pgext.loader.DataDirectories;
import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.TestStores;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.loader.fetch.S3ExtensionSource;
import dev.pgext.loader.hook.PgHookBuild;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.PostgresInstalls;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Which control files are on disk when a compute becomes ready: with the
 * {@code pgext_loader} hook only those of the preloaded extensions (the hook fetches any
 * other on {@code CREATE
 * EXTENSION}), the rest right after; without the hook every one, since nothing would
 * fetch them.
 */
class DeferredControlFilesIntegrationTests {

	private static final int SYNTHETIC = 300;

	static TestBucket bucket;

	static ExtIndex index;

	static Path root;

	@BeforeAll
	static void store() throws IOException {
		bucket = TestInfrastructure.bucket(DeferredControlFilesIntegrationTests.class);
		S3ObjectStore store = bucket.objectStore();
		List<ExtIndexEntry> entries = new ArrayList<>(TestStores.synthetic(store, "deferred", SYNTHETIC));
		ContribExtension statements = ContribExtension.of(PostgresInstalls.shared(15), "pg_stat_statements");
		for (Path file : statements.files().values()) {
			store.put(StoreLayout.blob(Sha256Digest.of(file)), file, "application/octet-stream");
		}
		entries.add(TestStores.entry(statements));
		index = ExtIndex.of(TestStores.PG, null, entries);
		store.put(StoreLayout.extIndex(Scope.PUBLIC, TestStores.PG), ExtIndexJson.write(index), "application/json");
		root = Files.createTempDirectory("pgext-deferred-control");
	}

	private final List<Compute> computes = new ArrayList<>();

	@AfterEach
	void stopComputes() {
		this.computes.forEach(Compute::destroy);
	}

	@AfterAll
	static void cleanUp() throws IOException {
		FileTrees.delete(root);
	}

	@Test
	void withTheHookOnlyThePreloadClosureHasControlFilesWhenTheComputeBecomesReady() throws Exception {
		LoaderProperties properties = LoaderProperties.defaults()
			.withWorkers(2, false)
			.withHook(PgHookBuild.library(15), "127.0.0.1:1");
		Started started = start(properties, root.resolve("hooked"));

		assertThat(started.atReadiness()).containsExactly("pg_stat_statements.control");
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(controlFiles(started.install())).hasSize(SYNTHETIC + 1));
		assertThat(TestStores.anyFilePlaced(started.install(), index.find("deferred_00000").orElseThrow())).isFalse();
	}

	@Test
	void withoutTheHookEveryControlFileIsInPlaceWhenTheComputeBecomesReady() throws Exception {
		Started started = start(LoaderProperties.defaults().withWorkers(2, false), root.resolve("plain"));

		assertThat(started.atReadiness()).hasSize(SYNTHETIC + 1).contains("deferred_00299.control");
	}

	private Started start(LoaderProperties properties, Path dir) throws Exception {
		S3ExtensionSource source = new S3ExtensionSource(bucket.objectStore());
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		FilePlacer placer = TestComputes.placer(source, 3, meters);
		PostgresInstall install = TestStores.computeInstall(dir.resolve("install"), List.of("pg_stat_statements"));
		Set<String> atReadiness = ConcurrentHashMap.newKeySet();
		Compute compute = TestComputes.compute(properties, source, placer, meters, (event) -> {
			if (event instanceof AvailabilityChangeEvent<?> change
					&& change.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
				atReadiness.addAll(controlFiles(install));
			}
		});
		this.computes.add(compute);
		Path data = DataDirectories.copy(TestStores.PG, dir.resolve("data"));
		compute.startAndWait(new ComputeSpec(null, 15, install.root().toString(), data.toString(), FreePorts.any(),
				List.of("pg_stat_statements"), List.of(), List.of(),
				Map.of("fsync", "off", "unix_socket_directories", "")));
		assertThat(compute.isRunning()).as("%s", compute.status().problem()).isTrue();
		return new Started(compute, install, Set.copyOf(atReadiness));
	}

	/** The control files of the index's extensions that are in {@code install}. */
	private static List<String> controlFiles(PostgresInstall install) {
		return index.extensions()
			.stream()
			.map((entry) -> entry.name().value() + ".control")
			.filter((name) -> Files.exists(install.extensionDir().resolve(name)))
			.toList();
	}

	private record Started(Compute compute, PostgresInstall install, Set<String> atReadiness) {

	}

}
