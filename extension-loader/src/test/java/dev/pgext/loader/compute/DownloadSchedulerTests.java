package dev.pgext.loader.compute;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.loader.TestStores;
import dev.pgext.loader.compute.DownloadScheduler.Priority;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.postgres.PostgresInstall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The queue-depth gauge counts exactly the extensions waiting for a worker, per priority,
 * even while promotions race the workers taking tasks off the queue.
 */
class DownloadSchedulerTests {

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final MemorySource source = new MemorySource();

	@Test
	void theQueueDepthCountsWhatWaitsPerPriority(@TempDir Path dir) throws Exception {
		List<ExtIndexEntry> entries = entries(4);
		this.source.gate = new CountDownLatch(1);
		try (DownloadScheduler scheduler = scheduler(dir, entries, 1)) {
			CompletableFuture<Void> all = scheduler.requestAll(entries, Priority.BACKGROUND);
			assertThat(this.source.opened.await(30, TimeUnit.SECONDS)).isTrue();
			// one is with the worker, three wait; one of them is promoted
			scheduler.request(entries.get(3), Priority.JIT);
			assertThat(depth(Priority.BACKGROUND)).isEqualTo(2);
			assertThat(depth(Priority.JIT)).isEqualTo(1);
			this.source.gate.countDown();
			all.get(30, TimeUnit.SECONDS);
			assertThat(depth(Priority.BACKGROUND)).isZero();
			assertThat(depth(Priority.JIT)).isZero();
		}
	}

	@Test
	void promotionsRacingTheWorkersTakeNeverMakeTheGaugeDrift(@TempDir Path dir) throws Exception {
		List<ExtIndexEntry> entries = entries(300);
		try (DownloadScheduler scheduler = scheduler(dir, entries, 4)) {
			CountDownLatch go = new CountDownLatch(1);
			List<CompletableFuture<Void>> done = new ArrayList<>();
			Thread promoter = new Thread(() -> {
				try {
					go.await();
				}
				catch (InterruptedException ex) {
					return;
				}
				for (ExtIndexEntry entry : entries) {
					scheduler.request(entry, Priority.SESSION_PRELOAD);
					scheduler.request(entry, Priority.JIT);
				}
			});
			promoter.start();
			go.countDown();
			for (ExtIndexEntry entry : entries) {
				done.add(scheduler.request(entry, Priority.BACKGROUND));
			}
			promoter.join(TimeUnit.SECONDS.toMillis(60));
			CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
			for (Priority priority : Priority.values()) {
				assertThat(depth(priority)).as(priority.name()).isZero();
			}
			assertThat(scheduler.status()).extracting(DownloadScheduler.ExtensionStatus::state)
				.containsOnly(DownloadScheduler.State.PLACED);
		}
	}

	@Test
	void aPromotionRightAfterAWorkerTookTheTaskLeavesNoCountBehind(@TempDir Path dir) throws Exception {
		List<ExtIndexEntry> entries = entries(1);
		try (DownloadScheduler scheduler = scheduler(dir, entries, 1)) {
			CompletableFuture<Void> done;
			// while the test holds the scheduler's lock, the worker can take the task off
			// the queue
			// but not record that it did: the window in which a promotion used to skew
			// the counts
			synchronized (scheduler) {
				done = scheduler.request(entries.get(0), Priority.BACKGROUND);
				await().atMost(Duration.ofSeconds(30))
					.pollInSameThread()
					.until(() -> workerState("pgext-download-1") == Thread.State.BLOCKED);
				scheduler.request(entries.get(0), Priority.JIT);
			}
			done.get(30, TimeUnit.SECONDS);
			for (Priority priority : Priority.values()) {
				assertThat(depth(priority)).as(priority.name()).isZero();
			}
		}
	}

	private static Thread.State workerState(String name) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals(name))
			.map(Thread::getState)
			.findFirst()
			.orElse(Thread.State.TERMINATED);
	}

	private DownloadScheduler scheduler(Path dir, List<ExtIndexEntry> entries, int workers) {
		PostgresInstall install = TestStores.emptyInstall(dir);
		return TestComputes.scheduler(install, TestComputes.placer(this.source, 1, this.meters), entries, workers,
				this.meters);
	}

	private double depth(Priority priority) {
		return this.meters.get("pgext.loader.queue.depth").tag("priority", priority.tag()).gauge().value();
	}

	private List<ExtIndexEntry> entries(int count) {
		List<ExtIndexEntry> entries = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String name = "ext_" + i;
			byte[] script = ("-- " + name + "\n").getBytes(StandardCharsets.UTF_8);
			Sha256Digest digest = Sha256Digest.of(script);
			this.source.blobs.put(digest, script);
			entries.add(new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of("1.0"), "1.0", null,
					List.of(new ExtFile("share/extension/" + name + "--1.0.sql", digest, script.length)), List.of(),
					List.of(), PreloadNeed.NONE, false, true));
		}
		return entries;
	}

	/** Blobs held in memory; with a gate, every read waits until the test opens it. */
	private static final class MemorySource implements ExtensionSource {

		final Map<Sha256Digest, byte[]> blobs = new ConcurrentHashMap<>();

		final CountDownLatch opened = new CountDownLatch(1);

		volatile CountDownLatch gate;

		@Override
		public ExtIndex index(PgMajor major, TenantId tenant) {
			throw new UnsupportedOperationException();
		}

		@Override
		public InputStream open(Sha256Digest digest) throws IOException {
			this.opened.countDown();
			CountDownLatch current = this.gate;
			if (current != null) {
				try {
					current.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException(ex);
				}
			}
			return new ByteArrayInputStream(this.blobs.get(digest));
		}

		@Override
		public String name() {
			return "memory";
		}

	}

}
