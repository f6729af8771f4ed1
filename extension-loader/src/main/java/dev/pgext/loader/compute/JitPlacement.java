package dev.pgext.loader.compute;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.pgext.loader.compute.DownloadScheduler.Priority;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.model.index.ExtIndexEntry;

/**
 * Serves a JIT request: finds the entry that owns the file (waiting for the whole catalog
 * when only the preload closure is bound yet, re-reading the indexes once when no entry
 * owns it), moves it and everything it requires to the front of the queue, and waits
 * until its files are in place.
 */
final class JitPlacement {

	/**
	 * Where a request's re-read of the indexes runs, so that the request can stop waiting
	 * for it; daemon threads, made as requests need them.
	 */
	private static final Executor REFRESHES = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "pgext-index-refresh");
		thread.setDaemon(true);
		return thread;
	});

	private final ComputeParts parts;

	private final Duration timeout;

	private final Timer wait;

	/**
	 * The re-read of the indexes requests are waiting for, if one is under way: requests
	 * that miss while it runs share it, so a stalled store holds one thread, not one per
	 * request.
	 */
	private final AtomicReference<CompletableFuture<ExtensionCatalog>> refreshing = new AtomicReference<>();

	JitPlacement(ComputeParts parts, Duration timeout, MeterRegistry meters) {
		this.parts = parts;
		this.timeout = timeout;
		this.wait = Timer.builder("pgext.loader.jit.wait")
			.description("How long JIT requests wait for their extension's files")
			.publishPercentileHistogram()
			.register(meters);
	}

	Optional<ExtIndexEntry> placeNow(String filename, boolean isLibrary) throws InterruptedException, TimeoutException {
		CatalogRefresh catalogs = this.parts.catalog();
		DownloadScheduler scheduler = this.parts.scheduler();
		if (catalogs == null || scheduler == null) {
			throw new ComputeNotStartedException();
		}
		// one limit for the whole request: waiting for the catalog, re-reading the
		// indexes and placing the files
		long deadline = System.nanoTime() + this.timeout.toNanos();
		ExtensionCatalog catalog = catalogs.current();
		Optional<ExtIndexEntry> owner = catalog.owner(filename, isLibrary);
		if (owner.isEmpty() && !catalogs.isComplete()) {
			// only the preload closure is bound yet: the answer is in the rest
			catalog = catalogs.awaitComplete(remaining(deadline));
			owner = catalog.owner(filename, isLibrary);
		}
		if (owner.isEmpty()) {
			catalog = refreshed(catalogs, deadline);
			owner = catalog.owner(filename, isLibrary);
			if (owner.isEmpty()) {
				// "no such extension" would be a guess while the indexes read at start
				// could not be bound: the reason they could not is the answer
				Optional<FetchException> unbound = catalogs.failure();
				if (unbound.isPresent()) {
					throw unbound.get();
				}
				return owner;
			}
		}
		Timer.Sample sample = Timer.start();
		try {
			scheduler.requestAll(catalog.closure(owner.get()), Priority.JIT)
				.get(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS);
			return owner;
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof FetchException fetch) {
				throw fetch;
			}
			throw new FetchException(FetchException.Reason.LOCAL_IO, String.valueOf(ex.getCause().getMessage()),
					ex.getCause());
		}
		finally {
			sample.stop(this.wait);
		}
	}

	private static Duration remaining(long deadline) {
		return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
	}

	/**
	 * The catalog after a re-read of the indexes, waited for until {@code deadline}: a
	 * store that stalls keeps the re-read (which goes on, and is shared by the requests
	 * that miss meanwhile), not the request.
	 */
	private ExtensionCatalog refreshed(CatalogRefresh catalogs, long deadline)
			throws InterruptedException, TimeoutException {
		CompletableFuture<ExtensionCatalog> started = new CompletableFuture<>();
		CompletableFuture<ExtensionCatalog> refresh = this.refreshing.compareAndExchange(null, started);
		if (refresh == null) {
			refresh = started;
			REFRESHES.execute(() -> {
				try {
					started.complete(catalogs.refreshed());
				}
				catch (Throwable ex) {
					started.completeExceptionally(ex);
				}
				finally {
					this.refreshing.compareAndSet(started, null);
				}
			});
		}
		try {
			return refresh.get(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new FetchException(FetchException.Reason.UNAVAILABLE, String.valueOf(ex.getCause().getMessage()),
					ex.getCause());
		}
	}

}
