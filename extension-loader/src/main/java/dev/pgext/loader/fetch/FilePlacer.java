package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.github.resilience4j.retry.Retry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.model.index.ExtFile;
import dev.pgext.model.place.ContentMismatchException;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.store.Backoff;

/**
 * Puts the files of an index into place for the loader, through common-model's
 * {@link FilePlacement} (temporary file in the target directory, digest and size check,
 * fsync, rename, directory fsync), adding what only the loader needs: downloads from an
 * {@link ExtensionSource} with retries, the background bandwidth limit and metrics.
 * <p>
 * With a {@link NodeCache}, verified content is also kept by digest
 * ({@code <cache>/sha256/<hex>}) and later placements copy from there, so computes on one
 * node download each blob once; every blob this placer places is pinned in that cache.
 * Blobs enter the cache without fsync, since every copy out of it verifies them again.
 */
public final class FilePlacer {

	private static final Logger log = LoggerFactory.getLogger(FilePlacer.class);

	private final ExtensionSource source;

	private final NodeCache cache;

	private final BandwidthLimiter limiter;

	private final Retry retry;

	private final MeterRegistry meters;

	/**
	 * A placer with an unbounded cache in {@code cacheDir}, or none when it is
	 * {@code null}.
	 */
	public FilePlacer(ExtensionSource source, Path cacheDir, BandwidthLimiter limiter, Retry retry,
			MeterRegistry meters) {
		this((cacheDir != null) ? new NodeCache(cacheDir, 0, meters) : null, source, limiter, retry, meters);
	}

	/**
	 * A placer that keeps what it downloads in {@code cache}, or in no cache when it is
	 * {@code null}.
	 */
	public static FilePlacer cached(ExtensionSource source, NodeCache cache, BandwidthLimiter limiter, Retry retry,
			MeterRegistry meters) {
		return new FilePlacer(cache, source, limiter, retry, meters);
	}

	private FilePlacer(NodeCache cache, ExtensionSource source, BandwidthLimiter limiter, Retry retry,
			MeterRegistry meters) {
		this.source = source;
		this.cache = cache;
		this.limiter = limiter;
		this.retry = retry;
		this.meters = meters;
		// registered up front, so that dashboards and alerts see zero instead of no data
		Counter.builder("pgext.loader.cache.hits")
			.description("Files placed from the node-local cache")
			.register(meters);
		for (FetchException.Reason reason : FetchException.Reason.values()) {
			failures(reason);
		}
	}

	private Counter failures(FetchException.Reason reason) {
		return Counter.builder("pgext.loader.download.failures")
			.description("Files whose placement failed, by reason")
			.tag("reason", reason.tag())
			.register(this.meters);
	}

	private Counter downloadedBytes(String source) {
		return Counter.builder("pgext.loader.download.bytes")
			.description("Bytes downloaded from the extension store, before verification")
			.baseUnit("bytes")
			.tag("source", source)
			.register(this.meters);
	}

	private Counter downloadedFiles(String source) {
		return Counter.builder("pgext.loader.download.files")
			.description("Files downloaded, verified and placed")
			.tag("source", source)
			.register(this.meters);
	}

	/**
	 * Retries network errors and 5xx answers with exponential backoff and jitter, never a
	 * wrong digest; each failed attempt that is followed by another is logged with why (a
	 * registry or store that stalls keeps an attempt up to its read timeout, which the
	 * log would otherwise not show until the last attempt failed).
	 */
	public static Retry retry(int attempts, Duration initialBackoff) {
		Retry retry = Backoff.retry("file-download", attempts, initialBackoff,
				(ex) -> ex instanceof IOException || ex instanceof UncheckedIOException);
		retry.getEventPublisher()
			.onRetry((event) -> log.warn("Attempt {} of {} failed, trying again in {} ms: {}",
					event.getNumberOfRetryAttempts(), attempts, event.getWaitInterval().toMillis(),
					String.valueOf(event.getLastThrowable())));
		return retry;
	}

	/** How a file got into place. */
	public enum Outcome {

		/** The target already had the right content. */
		PRESENT,

		/** Copied from the node-local cache. */
		CACHED,

		/** Downloaded from the source. */
		DOWNLOADED

	}

	/**
	 * A file verified under a staged name next to its target, not yet durable nor named
	 * ({@link #promote}), or already present at its target when {@code part} is
	 * {@code null}.
	 *
	 * @param file what the index says
	 * @param target where it goes
	 * @param part the staged content, or {@code null} when the target has it already
	 */
	public record Staged(ExtFile file, Path target, Path part) {

	}

	/**
	 * Places {@code file} at {@code target}.
	 * @param throttled asked before each chunk: whether the background bandwidth limit
	 * applies now (a download that a JIT request is waiting for is promoted and stops
	 * being throttled)
	 * @throws FetchException when the content cannot be had or is wrong; the target is
	 * then untouched
	 */
	public Outcome place(ExtFile file, Path target, BooleanSupplier throttled) {
		Outcome outcome = obtain(file, target, throttled, false).outcome();
		if (outcome != Outcome.PRESENT) {
			syncOrFail(target.getParent());
		}
		return outcome;
	}

	/**
	 * Fetches and verifies {@code file} into a staged name next to {@code target}
	 * ({@link FilePlacement#stage}), without fsync and without touching the target;
	 * {@link #promote} puts a batch of them in place. A target that has the content
	 * already is staged as present.
	 * @throws FetchException when the content cannot be had or is wrong; nothing is then
	 * left behind
	 */
	public Staged stage(ExtFile file, Path target, BooleanSupplier throttled) {
		return new Staged(file, target, obtain(file, target, throttled, true).staged());
	}

	/**
	 * Puts staged files in place: their content made durable first (every fsync issued
	 * side by side on {@code parallel}, so the disk is waited for about once), then each
	 * renamed over its target, then each directory fsynced once. When this fails, the
	 * staged files not renamed yet are deleted.
	 */
	public void promote(Collection<Staged> staged, ExecutorService parallel) {
		promote(staged, parallel, null);
	}

	/**
	 * As {@link #promote(Collection, ExecutorService)}; with {@code deferred}, once its
	 * journal is durable, the staged files are renamed over their targets without any
	 * fsync, and {@link DeferredSync#complete()} makes them durable later.
	 */
	public void promote(Collection<Staged> staged, ExecutorService parallel, DeferredSync deferred) {
		List<Staged> parts = staged.stream().filter((file) -> file.part() != null).toList();
		if (deferred != null) {
			try {
				if (!parts.isEmpty()) {
					deferred.awaitRecorded();
				}
				for (Staged file : parts) {
					FilePlacement.promote(file.part(), file.target());
					deferred.renamed(file.target());
				}
				return;
			}
			catch (IOException ex) {
				throw fail(new FetchException(FetchException.Reason.LOCAL_IO,
						"cannot put staged files in place: " + ex.getMessage(), ex));
			}
			finally {
				discard(parts);
			}
		}
		try {
			List<Future<?>> synced = new ArrayList<>();
			for (Staged file : parts) {
				synced.add(parallel.submit(() -> {
					FilePlacement.sync(file.part());
					return null;
				}));
			}
			awaitAll(synced);
			Set<Path> directories = new LinkedHashSet<>();
			for (Staged file : parts) {
				FilePlacement.promote(file.part(), file.target());
				directories.add(file.target().getParent());
			}
			directories.forEach(this::syncOrFail);
		}
		catch (IOException ex) {
			throw fail(new FetchException(FetchException.Reason.LOCAL_IO,
					"cannot put staged files in place: " + ex.getMessage(), ex));
		}
		finally {
			discard(parts);
		}
	}

	/** Deletes the staged content of {@code staged} that was not put in place. */
	public static void discard(Collection<Staged> staged) {
		for (Staged file : staged) {
			if (file.part() != null) {
				try {
					Files.deleteIfExists(file.part());
				}
				catch (IOException ex) {
					log.warn("Could not delete staged {}: {}", file.part(), ex.getMessage());
				}
			}
		}
	}

	/**
	 * Places several files, such as all files of one extension, and makes their renames
	 * durable with one fsync per directory instead of one per file.
	 */
	public void placeAll(List<ExtFile> files, Function<String, Path> resolve, BooleanSupplier throttled) {
		Set<Path> directories = new LinkedHashSet<>();
		for (ExtFile file : files) {
			Path target = resolve.apply(file.path());
			if (obtain(file, target, throttled, false).outcome() != Outcome.PRESENT) {
				directories.add(target.getParent());
			}
		}
		directories.forEach(this::syncOrFail);
	}

	/**
	 * As {@link #placeAll(List, Function, BooleanSupplier)}, the files fetched and
	 * verified side by side on {@code parallel} (a preload or JIT request waits for its
	 * slowest file, not for the sum of them), then put in place together
	 * ({@link #promote}): their fsyncs are issued at once and none of them gets its name
	 * before all are verified. Every file is waited for before a failure is reported, so
	 * none is still being written when the caller hears of it, and a failure leaves no
	 * staged file behind.
	 */
	public void placeAll(List<ExtFile> files, Function<String, Path> resolve, BooleanSupplier throttled,
			ExecutorService parallel) {
		placeAll(files, resolve, throttled, parallel, null);
	}

	/**
	 * As {@link #placeAll(List, Function, BooleanSupplier, ExecutorService)}; with
	 * {@code deferred}, the files are renamed into place without fsync once its journal
	 * is durable ({@link #promote(Collection, ExecutorService, DeferredSync)}).
	 */
	public void placeAll(List<ExtFile> files, Function<String, Path> resolve, BooleanSupplier throttled,
			ExecutorService parallel, DeferredSync deferred) {
		if (files.size() < 2 && deferred == null) {
			placeAll(files, resolve, throttled);
			return;
		}
		List<Future<Staged>> pending = new ArrayList<>();
		for (ExtFile file : files) {
			Path target = resolve.apply(file.path());
			pending.add(parallel.submit(() -> stage(file, target, throttled)));
		}
		List<Staged> staged = new ArrayList<>();
		try {
			awaitAll(pending, staged);
		}
		catch (RuntimeException ex) {
			discard(staged);
			throw ex;
		}
		promote(staged, parallel, deferred);
	}

	private static void awaitAll(List<? extends Future<?>> futures) {
		awaitAll(futures, new ArrayList<>());
	}

	/**
	 * Waits for every future, collecting the results of those that succeeded; then throws
	 * the first failure.
	 */
	@SuppressWarnings("unchecked")
	private static <T> void awaitAll(List<? extends Future<?>> futures, List<T> results) {
		RuntimeException failure = null;
		for (Future<?> future : futures) {
			try {
				Object result = future.get();
				if (result != null) {
					results.add((T) result);
				}
			}
			catch (ExecutionException ex) {
				if (failure == null) {
					failure = (ex.getCause() instanceof RuntimeException runtime) ? runtime : new FetchException(
							FetchException.Reason.LOCAL_IO, String.valueOf(ex.getCause()), ex.getCause());
				}
			}
			catch (InterruptedException ex) {
				futures.forEach((other) -> other.cancel(true));
				Thread.currentThread().interrupt();
				// what the others staged meanwhile is removed as a leftover at the next
				// start
				throw new FetchException(FetchException.Reason.LOCAL_IO, "interrupted while placing files", ex);
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

	private void syncOrFail(Path directory) {
		try {
			FilePlacement.syncDirectory(directory);
		}
		catch (IOException ex) {
			throw fail(new FetchException(FetchException.Reason.LOCAL_IO,
					"cannot fsync " + directory + ": " + ex.getMessage(), ex));
		}
	}

	/** Where downloaded or copied bytes land. */
	private enum Landing {

		/** Renamed over their target in the installation, fsynced first. */
		INSTALLED,

		/**
		 * Beside their target, verified but not renamed or fsynced: the caller promotes a
		 * batch ({@link FilePlacer#promote}).
		 */
		STAGED,

		/**
		 * Renamed into the node cache without fsync: every copy out of it verifies the
		 * content again ({@link FilePlacer#copyVerified}), so a blob that lost its
		 * content when the machine went down is found damaged, deleted and downloaded
		 * again, and no placement waits for the disk to fill the cache.
		 */
		CACHE;

		static Landing of(boolean stage) {
			return stage ? STAGED : INSTALLED;
		}

	}

	/** How a file was had, and where it is staged when it was staged. */
	private record Obtained(Outcome outcome, Path staged) {

	}

	/**
	 * Gets {@code file}'s content to {@code target} (renamed into place, without the
	 * directory's fsync) or, with {@code stage}, to a staged name next to it.
	 */
	private Obtained obtain(ExtFile file, Path target, BooleanSupplier throttled, boolean stage) {
		if (this.cache != null) {
			this.cache.pin(file.sha256());
		}
		try {
			if (FilePlacement.hasContent(target, file)) {
				return new Obtained(Outcome.PRESENT, null);
			}
			Files.createDirectories(target.getParent());
		}
		catch (IOException ex) {
			throw fail(new FetchException(FetchException.Reason.LOCAL_IO,
					"cannot inspect " + target + ": " + ex.getMessage(), ex));
		}
		try {
			if (this.cache == null) {
				return new Obtained(Outcome.DOWNLOADED, download(file, target, throttled, Landing.of(stage)));
			}
			Path cached = this.cache.blob(file.sha256());
			if (Files.isRegularFile(cached)) {
				try {
					Path staged = copyVerified(cached, file, target, Landing.of(stage));
					this.cache.used(file.sha256());
					count("pgext.loader.cache.hits", "Files placed from the node-local cache");
					return new Obtained(Outcome.CACHED, staged);
				}
				catch (NoSuchFileException ex) {
					log.debug("Cached {} was evicted before it could be copied; downloading it", cached);
				}
				catch (FetchException ex) {
					log.warn("Cached {} is damaged ({}); downloading it again", cached, ex.getMessage());
					Files.deleteIfExists(cached);
					this.cache.removed(file.sha256());
				}
			}
			Files.createDirectories(cached.getParent());
			download(file, cached, throttled, Landing.CACHE);
			this.cache.added(file.sha256(), file.size());
			return new Obtained(Outcome.DOWNLOADED, copyVerified(cached, file, target, Landing.of(stage)));
		}
		catch (FetchException ex) {
			throw fail(ex);
		}
		catch (IOException ex) {
			throw fail(new FetchException(FetchException.Reason.LOCAL_IO,
					"placing " + file.path() + " failed: " + ex.getMessage(), ex));
		}
	}

	private FetchException fail(FetchException ex) {
		failures(ex.reason()).increment();
		return ex;
	}

	private Path download(ExtFile file, Path target, BooleanSupplier throttled, Landing landing) {
		try {
			return Retry.decorateCheckedSupplier(this.retry, () -> {
				try (InputStream in = this.source.open(file.sha256())) {
					return receive(in, file, target, throttled, this.source.name(), landing);
				}
			}).get();
		}
		catch (FetchException ex) {
			throw ex;
		}
		catch (Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new FetchException(FetchException.Reason.UNAVAILABLE,
					"downloading " + file.path() + " (" + file.sha256() + ") failed: " + ex.getMessage(), ex);
		}
	}

	private Path copyVerified(Path from, ExtFile file, Path target, Landing landing) throws IOException {
		try (InputStream in = Files.newInputStream(from)) {
			return receive(in, file, target, () -> false, null, landing);
		}
	}

	/**
	 * Streams {@code in} to {@code target} as {@code landing} says, throttled while
	 * {@code throttled} says so; content that is not what the index says is a
	 * {@link FetchException.Reason#DIGEST_MISMATCH}, never retried.
	 * @return the staged file when {@code landing} is {@link Landing#STAGED}
	 */
	private Path receive(InputStream in, ExtFile file, Path target, BooleanSupplier throttled, String source,
			Landing landing) throws IOException {
		BandwidthLimiter limiter = this.limiter;
		FilePlacement.Flow flow = new FilePlacement.Flow() {

			private boolean limited;

			@Override
			public int nextChunk(int buffer) {
				this.limited = limiter != null && throttled.getAsBoolean();
				return this.limited ? limiter.maxChunk() : buffer;
			}

			@Override
			public void received(int n) {
				if (this.limited) {
					limiter.acquire(n);
				}
				if (source != null) {
					downloadedBytes(source).increment(n);
				}
			}

		};
		Path staged = null;
		try {
			// an installed file's directory is fsynced by the caller, once per batch
			switch (landing) {
				case INSTALLED -> FilePlacement.receive(in, file, target, flow);
				case STAGED -> staged = FilePlacement.stage(in, file, target, flow);
				case CACHE -> FilePlacement.receiveVerifiedOnRead(in, file, target, flow);
			}
		}
		catch (ContentMismatchException ex) {
			throw new FetchException(FetchException.Reason.DIGEST_MISMATCH, ex.getMessage(), ex);
		}
		if (source != null) {
			downloadedFiles(source).increment();
		}
		return staged;
	}

	private void count(String name, String description) {
		Counter.builder(name).description(description).register(this.meters).increment();
	}

}
