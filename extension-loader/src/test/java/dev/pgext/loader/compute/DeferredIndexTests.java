package dev.pgext.loader.compute;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.loader.TestStores;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.fetch.IndexText;
import dev.pgext.loader.fetch.SkimmedIndex;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.postgres.PostgresInstall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * With the hook, start binds only the preload closure's index entries before Postgres
 * launches and the rest after: a JIT request that arrives in between waits for the rest
 * and is answered as if the whole index had been read at once.
 */
class DeferredIndexTests {

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final MemorySource source = new MemorySource();

	private final ComputeParts parts = new ComputeParts();

	@TempDir
	Path dir;

	private PostgresInstall install;

	private CatalogRefresh catalogs;

	private JitPlacement jit;

	@BeforeEach
	void readThePreloadClosure() {
		this.source.put(entry("base", List.of(), List.of()), entry("pre_lib", List.of("pre_lib"), List.of("base")),
				entry("needs_base", List.of(), List.of("base")), entry("other", List.of(), List.of()));
		this.install = TestStores.emptyInstall(this.dir.resolve("install"));
		ComputeSpec spec = new ComputeSpec(null, 15, this.install.root().toString(),
				this.dir.resolve("data").toString(), 5432, List.of("pre_lib"), List.of(), List.of(), Map.of());
		this.catalogs = new CatalogRefresh(this.source, spec, this.install, Duration.ZERO);
		this.parts.attach(this.catalogs);
		ExtensionCatalog early = this.catalogs.readPreload();
		this.parts.attach(new DownloadScheduler(this.install, TestComputes.placer(this.source, 1, this.meters),
				early.extensions(), 2, this.meters));
		this.jit = new JitPlacement(this.parts, Duration.ofSeconds(60), this.meters);
	}

	@AfterEach
	void stop() {
		this.parts.close();
	}

	@Test
	void beforeLaunchOnlyThePreloadClosureIsBound() {
		assertThat(this.catalogs.current().extensions()).extracting((entry) -> entry.name().value())
			.containsExactly("base", "pre_lib");
		assertThat(this.catalogs.isComplete()).isFalse();
		assertThat(this.source.fullReads).hasValue(0);
	}

	@Test
	void aRequestForAnExtensionOfThePreloadClosureIsAnsweredAtOnce() throws Exception {
		assertThat(this.jit.placeNow("pre_lib", true)).map((entry) -> entry.name().value()).hasValue("pre_lib");
		assertThat(this.catalogs.isComplete()).isFalse();
	}

	@Test
	void aRequestArrivingBeforeTheRestIsBoundWaitsForItAndIsAnswered() throws Exception {
		AtomicReference<Thread> requester = new AtomicReference<>();
		CompletableFuture<Optional<ExtIndexEntry>> answer = CompletableFuture.supplyAsync(() -> {
			requester.set(Thread.currentThread());
			return place("needs_base");
		});
		awaitBlocked(requester);
		assertThat(answer).isNotDone();
		assertThat(this.install.extensionDir().resolve("needs_base--1.0.sql")).doesNotExist();

		this.catalogs.completeRead();

		assertThat(answer.get(60, TimeUnit.SECONDS)).map((entry) -> entry.name().value()).hasValue("needs_base");
		assertThat(this.install.extensionDir().resolve("needs_base--1.0.sql")).exists();
		assertThat(this.install.extensionDir().resolve("base--1.0.sql")).exists();
		assertThat(this.source.fullReads).as("the rest comes from the bytes read at start").hasValue(0);
	}

	@Test
	void aNameNoIndexHasIsUnknownOnlyOnceTheWholeIndexIsBound() throws Exception {
		AtomicReference<Thread> requester = new AtomicReference<>();
		CompletableFuture<Optional<ExtIndexEntry>> answer = CompletableFuture.supplyAsync(() -> {
			requester.set(Thread.currentThread());
			return place("nowhere");
		});
		awaitBlocked(requester);
		assertThat(answer).isNotDone();

		this.catalogs.completeRead();

		assertThat(answer.get(60, TimeUnit.SECONDS)).isEmpty();
		assertThat(this.source.fullReads).as("an unknown name re-reads the indexes once").hasValue(1);
	}

	@Test
	void aRequestWaitingForAStartThatFailedGetsTheReason() {
		AtomicReference<Thread> requester = new AtomicReference<>();
		CompletableFuture<Optional<ExtIndexEntry>> answer = CompletableFuture.supplyAsync(() -> {
			requester.set(Thread.currentThread());
			return place("needs_base");
		});
		awaitBlocked(requester);

		this.catalogs.abandon(new IllegalStateException("initdb failed"));

		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> answer.get(60, TimeUnit.SECONDS))
			.withCauseInstanceOf(FetchException.class)
			.withMessageContaining("initdb failed");
	}

	/**
	 * A store that stalls while a JIT miss re-reads the indexes keeps the re-read, not
	 * the request: it fails when its time is up, as a download that takes too long does.
	 */
	@Test
	void aRequestWhoseIndexReReadStallsEndsAtTheJitTimeout() throws Exception {
		this.catalogs.completeRead();
		JitPlacement shortly = new JitPlacement(this.parts, Duration.ofMillis(300), this.meters);
		this.source.stall = new java.util.concurrent.CountDownLatch(1);
		try {
			org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
					() -> assertThatExceptionOfType(java.util.concurrent.TimeoutException.class)
						.isThrownBy(() -> shortly.placeNow("nowhere", false)));
			assertThat(this.source.fullReads).hasValue(1);
		}
		finally {
			this.source.stall.countDown();
		}
	}

	@Test
	void requestsThatMissWhileTheIndexReReadStallsShareIt() throws Exception {
		this.catalogs.completeRead();
		JitPlacement shortly = new JitPlacement(this.parts, Duration.ofMillis(300), this.meters);
		this.source.stall = new java.util.concurrent.CountDownLatch(1);
		try {
			List<java.util.concurrent.CompletableFuture<Throwable>> requests = new java.util.ArrayList<>();
			for (int i = 0; i < 5; i++) {
				requests.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
					try {
						shortly.placeNow("nowhere", false);
						return null;
					}
					catch (Exception ex) {
						return ex;
					}
				}));
			}
			for (java.util.concurrent.CompletableFuture<Throwable> request : requests) {
				assertThat(request.get(30, java.util.concurrent.TimeUnit.SECONDS))
					.isInstanceOf(java.util.concurrent.TimeoutException.class);
			}
			// one re-read under way, no thread queued behind it
			assertThat(this.source.fullReads).hasValue(1);
			assertThat(Thread.getAllStackTraces().keySet())
				.filteredOn((thread) -> thread.getName().equals("pgext-index-refresh")
						&& thread.getState() == Thread.State.BLOCKED)
				.isEmpty();
		}
		finally {
			this.source.stall.countDown();
		}
	}

	private Optional<ExtIndexEntry> place(String filename) {
		try {
			return this.jit.placeNow(filename, false);
		}
		catch (Exception ex) {
			throw (ex instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
		}
	}

	/** Until the requesting thread waits (for the rest of the index). */
	private static void awaitBlocked(AtomicReference<Thread> requester) {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> requester.get() != null && requester.get().getState() == Thread.State.TIMED_WAITING);
	}

	private ExtIndexEntry entry(String name, List<String> libraries, List<String> requires) {
		byte[] script = ("-- " + name + "\n").getBytes(StandardCharsets.UTF_8);
		Sha256Digest digest = Sha256Digest.of(script);
		this.source.blobs.put(digest, script);
		return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of("1.0"), "1.0", "default_version = '1.0'\n",
				List.of(new ExtFile("share/extension/" + name + "--1.0.sql", digest, script.length)), libraries,
				requires, PreloadNeed.NONE, false, true);
	}

	/** An index and its blobs in memory, read through the skim as the real sources do. */
	private static final class MemorySource implements ExtensionSource {

		final Map<Sha256Digest, byte[]> blobs = new ConcurrentHashMap<>();

		final AtomicInteger fullReads = new AtomicInteger();

		private volatile byte[] index;

		/** When set, a read of the whole index waits for it (a stalled store). */
		volatile java.util.concurrent.CountDownLatch stall;

		void put(ExtIndexEntry... entries) {
			this.index = ExtIndexJson.write(ExtIndex.of(PgMajor.of(15), null, new ArrayList<>(List.of(entries))));
		}

		@Override
		public ExtIndex index(PgMajor major, TenantId tenant) {
			this.fullReads.incrementAndGet();
			if (this.stall != null) {
				try {
					this.stall.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return ExtIndexJson.read(this.index);
		}

		@Override
		public SkimmedIndex skimmedIndex(PgMajor major, TenantId tenant) {
			return SkimmedIndex.merge(major, tenant, IndexText.read(this.index), null);
		}

		@Override
		public InputStream open(Sha256Digest digest) {
			return new ByteArrayInputStream(this.blobs.get(digest));
		}

		@Override
		public String name() {
			return "memory";
		}

	}

}
