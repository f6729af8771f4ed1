package dev.pgext.loader.compute;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.loader.TestStores;
import dev.pgext.loader.compute.DownloadScheduler.Priority;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.S3ExtensionSource;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The download queue serves the most urgent extension first: a JIT request overtakes
 * background downloads that were queued before it.
 */
@RealInfrastructure
class DownloadSchedulerIntegrationTests {

	private static final List<String> EXTENSIONS = List.of("hstore", "pg_trgm", "cube", "isn", "citext");

	static ExtIndex index;

	static TestBucket bucket;

	@BeforeAll
	static void store(TestBucket testBucket) {
		bucket = testBucket;
		index = TestStores.publish(bucket.objectStore(), Scope.PUBLIC, EXTENSIONS);
	}

	@Test
	void aJitRequestOvertakesTheBackgroundQueue(@TempDir Path dir) throws Exception {
		GatedSource source = new GatedSource(new S3ExtensionSource(bucket.objectStore()));
		PostgresInstall install = TestStores.emptyInstall(dir);
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		List<String> finished = new CopyOnWriteArrayList<>();
		try (DownloadScheduler scheduler = TestComputes.scheduler(install, TestComputes.placer(source, 3, meters),
				index.extensions(), 1, meters)) {
			// the only worker is held inside the first download while the others queue up
			CompletableFuture<Void> first = track(scheduler, "hstore", Priority.BACKGROUND, finished);
			assertThat(source.opened.await(30, TimeUnit.SECONDS)).isTrue();
			track(scheduler, "pg_trgm", Priority.BACKGROUND, finished);
			track(scheduler, "cube", Priority.BACKGROUND, finished);
			track(scheduler, "isn", Priority.BACKGROUND, finished);
			CompletableFuture<Void> jit = track(scheduler, "citext", Priority.JIT, finished);
			assertThat(scheduler.status("citext").state()).isEqualTo(DownloadScheduler.State.QUEUED);
			assertThat(scheduler.status("citext").priority()).isEqualTo(Priority.JIT);
			source.gate.countDown();
			first.get(60, TimeUnit.SECONDS);
			jit.get(60, TimeUnit.SECONDS);
			CompletableFuture
				.allOf(EXTENSIONS.stream()
					.map((name) -> scheduler.request(entry(name), Priority.BACKGROUND))
					.toArray(CompletableFuture[]::new))
				.get(60, TimeUnit.SECONDS);
		}
		assertThat(finished).containsExactly("hstore", "citext", "pg_trgm", "cube", "isn");
	}

	@Test
	void aJitRequestForAQueuedExtensionPromotesItInsteadOfQueueingItAgain(@TempDir Path dir) throws Exception {
		GatedSource source = new GatedSource(new S3ExtensionSource(bucket.objectStore()));
		PostgresInstall install = TestStores.emptyInstall(dir);
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		List<String> finished = new CopyOnWriteArrayList<>();
		try (DownloadScheduler scheduler = TestComputes.scheduler(install, TestComputes.placer(source, 3, meters),
				index.extensions(), 1, meters)) {
			track(scheduler, "hstore", Priority.BACKGROUND, finished);
			assertThat(source.opened.await(30, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<Void> queued = track(scheduler, "cube", Priority.BACKGROUND, finished);
			track(scheduler, "pg_trgm", Priority.BACKGROUND, finished);
			CompletableFuture<Void> promoted = scheduler.request(entry("pg_trgm"), Priority.JIT);
			assertThat(scheduler.request(entry("cube"), Priority.BACKGROUND)).isSameAs(queued);
			source.gate.countDown();
			promoted.get(60, TimeUnit.SECONDS);
			queued.get(60, TimeUnit.SECONDS);
		}
		assertThat(finished).containsExactly("hstore", "pg_trgm", "cube");
		assertThat(source.opens).isEqualTo(index.find("hstore").orElseThrow().files().size()
				+ index.find("pg_trgm").orElseThrow().files().size() + index.find("cube").orElseThrow().files().size());
	}

	private static CompletableFuture<Void> track(DownloadScheduler scheduler, String name, Priority priority,
			List<String> finished) {
		CompletableFuture<Void> done = scheduler.request(entry(name), priority);
		done.thenRun(() -> finished.add(name));
		return done;
	}

	private static ExtIndexEntry entry(String name) {
		return index.find(name).orElseThrow();
	}

	/** The real store, with every read held until the test opens the gate. */
	private static final class GatedSource implements ExtensionSource {

		final CountDownLatch opened = new CountDownLatch(1);

		final CountDownLatch gate = new CountDownLatch(1);

		volatile int opens;

		private final ExtensionSource store;

		GatedSource(ExtensionSource store) {
			this.store = store;
		}

		@Override
		public ExtIndex index(PgMajor major, TenantId tenant) {
			return this.store.index(major, tenant);
		}

		@Override
		public synchronized InputStream open(Sha256Digest digest) throws IOException {
			this.opens++;
			this.opened.countDown();
			try {
				this.gate.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
			return this.store.open(digest);
		}

		@Override
		public String name() {
			return "gated";
		}

	}

}
