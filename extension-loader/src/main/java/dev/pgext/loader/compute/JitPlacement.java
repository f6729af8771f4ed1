package dev.pgext.loader.compute;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

	private final ComputeParts parts;

	private final Duration timeout;

	private final Timer wait;

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
		ExtensionCatalog catalog = catalogs.current();
		Optional<ExtIndexEntry> owner = catalog.owner(filename, isLibrary);
		if (owner.isEmpty() && !catalogs.isComplete()) {
			// only the preload closure is bound yet: the answer is in the rest
			catalog = catalogs.awaitComplete(this.timeout);
			owner = catalog.owner(filename, isLibrary);
		}
		if (owner.isEmpty()) {
			catalog = catalogs.refreshed();
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
				.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
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

}
