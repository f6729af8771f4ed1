package dev.pgext.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two publishes of the same version at the same time: exactly one wins, the other is told
 * the version exists, and the store holds one set of objects for it. A reader polling an
 * index while releases are published never finds it naming a blob that is not in the
 * store.
 */
class ConcurrentPublishIntegrationTests extends RegistryIntegrationTest {

	@Test
	void concurrentPublishesOfOneVersionHaveExactlyOneWinner() throws Exception {
		byte[] artifact = ContribExtension.of(PostgresInstalls.shared(18), "isn").tarGz();
		String metadata = TestArtifacts.metadata("isn", "1.2-race");
		Set<String> keysBefore = snapshot().objects().keySet();
		CountDownLatch start = new CountDownLatch(1);
		List<CompletableFuture<RegistryClient.Response>> racers = new ArrayList<>();
		ExecutorService executor = Executors.newFixedThreadPool(2);
		try {
			for (int i = 0; i < 2; i++) {
				racers.add(CompletableFuture.supplyAsync(() -> {
					try {
						start.await();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					return publish(ADMIN_TOKEN, null, metadata, Map.of("pg18", artifact));
				}, executor));
			}
			start.countDown();
			CompletableFuture.allOf(racers.toArray(CompletableFuture[]::new)).join();
		}
		finally {
			executor.shutdown();
		}
		List<Integer> statuses = racers.stream().map((r) -> r.join().status()).sorted().toList();
		assertThat(statuses).containsExactly(201, 409);
		RegistryClient.Response loser = racers.stream()
			.map(CompletableFuture::join)
			.filter((r) -> r.status() == 409)
			.findFirst()
			.orElseThrow();
		assertThat(loser.problemType()).isEqualTo("https://pgext.dev/problems/version-exists");

		assertThat(this.jdbc.sql("select count(*) from release where distribution = 'isn'").query(Long.class).single())
			.isEqualTo(1);
		awaitProjections();
		ExtIndexEntry isn = ExtIndexJson
			.read(this.store.getBytes(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(18))).orElseThrow())
			.find("isn")
			.orElseThrow();
		Set<String> expected = new TreeSet<>();
		for (ExtFile file : isn.files()) {
			expected.add(StoreLayout.blob(file.sha256()));
			expected.add(StoreLayout.seedFile(Scope.PUBLIC, PgMajor.of(18), file.path()));
		}
		for (String library : isn.libraries()) {
			String document = StoreLayout.preloadDocument(Scope.PUBLIC, PgMajor.of(18), Platform.DEFAULT, library);
			expected.add(document);
			expected.add(document + MetadataSignature.SUFFIX);
		}
		expected.add(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(18)));
		// new only when no test wrote this major's index before
		expected.add(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(18)) + MetadataSignature.SUFFIX);
		Set<String> added = new TreeSet<>(snapshot().objects().keySet());
		added.removeAll(keysBefore);
		expected.removeAll(keysBefore);
		assertThat(added).isEqualTo(expected);
	}

	@Test
	void readersNeverSeeAnIndexNamingAMissingBlob() throws Exception {
		String indexKey = StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(15));
		AtomicBoolean publishing = new AtomicBoolean(true);
		List<String> dangling = new CopyOnWriteArrayList<>();
		AtomicInteger checkedIndexes = new AtomicInteger();
		Thread reader = new Thread(() -> {
			while (publishing.get()) {
				this.store.getBytes(indexKey).ifPresent((bytes) -> {
					for (ExtIndexEntry entry : ExtIndexJson.read(bytes).extensions()) {
						for (ExtFile file : entry.files()) {
							if (this.store.head(StoreLayout.blob(file.sha256())).isEmpty()) {
								dangling.add(entry.name() + " " + file.path());
							}
						}
					}
					checkedIndexes.incrementAndGet();
				});
			}
		}, "index-reader");
		reader.start();
		try {
			for (String name : List.of("tablefunc", "fuzzystrmatch", "intarray", "ltree", "seg")) {
				RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, "1.0"),
						Map.of("pg15", ContribExtension.of(PostgresInstalls.shared(15), name).tarGz()));
				assertThat(response.status()).as(response.toString()).isEqualTo(201);
			}
			// the index follows the catalog in the background: keep reading until it has
			awaitProjections();
		}
		finally {
			publishing.set(false);
			reader.join();
		}
		assertThat(dangling).isEmpty();
		assertThat(checkedIndexes.get()).isPositive();
		assertThat(ExtIndexJson.read(this.store.getBytes(indexKey).orElseThrow()).extensions())
			.extracting((entry) -> entry.name().value())
			.contains("tablefunc", "fuzzystrmatch", "intarray", "ltree", "seg");
	}

}
