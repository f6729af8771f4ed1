package dev.pgext.loader.compute;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.fetch.IndexMerge;
import dev.pgext.loader.fetch.IndexText;
import dev.pgext.loader.fetch.SkimmedIndex;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * The compute's catalog, re-read at most once per {@code index-refresh-interval} when a
 * JIT request names a file no known extension has: an extension published after the
 * compute started is then found, and its control file written. Extensions already known
 * keep the release they had. With the hook, start reads the indexes in two steps: before
 * Postgres launches only the preload closure's entries are bound ({@link #readPreload()}:
 * from the per-library preload documents when they settle it, with no index read at all
 * when nothing is preloaded, otherwise from the whole indexes), the rest right after it
 * accepts connections ({@link #completeRead()}); a JIT request in between that the
 * preload closure does not answer waits for the rest ({@link #awaitComplete(Duration)}).
 * Reads of the current catalog take no lock; a refresh (and the time of the last index
 * read) is guarded by this object's monitor.
 */
final class CatalogRefresh {

	private static final Logger log = LoggerFactory.getLogger(CatalogRefresh.class);

	private final ExtensionSource source;

	private final ComputeSpec spec;

	private final PostgresInstall install;

	private final Duration interval;

	private volatile ExtensionCatalog catalog;

	/** The whole catalog, once every entry of the indexes read at start is bound. */
	private final CompletableFuture<ExtensionCatalog> complete = new CompletableFuture<>();

	/** The indexes read at start, until {@link #completeRead()} bound them all. */
	private SkimmedIndex skimmed;

	/** Guarded by {@code this}. */
	private long lastIndexRead;

	private volatile PreloadFrom preloadFrom;

	private volatile String mismatch;

	/** Where a start read the entries it places before Postgres launches. */
	enum PreloadFrom {

		/** The per-library preload documents; the indexes are read after launch. */
		DOCUMENTS,

		/** The whole indexes, read before launch. */
		INDEX,

		/** Nothing is preloaded; the indexes are read after launch. */
		NONE

	}

	CatalogRefresh(ExtensionSource source, ComputeSpec spec, PostgresInstall install, Duration interval) {
		this.source = source;
		this.spec = spec;
		this.install = install;
		this.interval = interval;
	}

	/** Reads the indexes for the first time, every entry bound. */
	synchronized ExtensionCatalog read() {
		this.catalog = ExtensionCatalog.of(this.source.index(this.spec.major(), this.spec.tenantId()),
				this.spec.availableExtensions(), preloadLibraries(), this.spec.listedOnly());
		this.lastIndexRead = System.nanoTime();
		this.complete.complete(this.catalog);
		return this.catalog;
	}

	/**
	 * Reads and verifies the indexes for the first time, binding only the entries the
	 * preload libraries need (and what they require); {@link #completeRead()} binds the
	 * rest. Until then {@link #current()} is this part only.
	 */
	synchronized ExtensionCatalog readPreload() {
		return readPreload(IndexText.EntryListener.NONE);
	}

	/**
	 * As {@link #readPreload()}, telling {@code early} of each entry while the indexes
	 * stream in, before they are verified.
	 */
	synchronized ExtensionCatalog readPreload(IndexText.EntryListener early) {
		List<String> libraries = preloadLibraries();
		if (libraries.isEmpty()) {
			// nothing to place before launch: the indexes are read once it accepts
			// connections
			this.preloadFrom = PreloadFrom.NONE;
			this.catalog = new ExtensionCatalog(ExtIndex.of(this.spec.major(), this.spec.tenantId(), List.of()));
			return this.catalog;
		}
		Optional<ExtensionCatalog> fromDocuments = this.source
			.preloadIndex(this.spec.major(), this.spec.tenantId(), libraries)
			.flatMap((documents) -> {
				Optional<ExtensionCatalog> exact = ExtensionCatalog.exactPreloadClosure(documents,
						this.spec.availableExtensions(), libraries, this.spec.listedOnly());
				if (exact.isEmpty()) {
					log.info("Reading the whole index before launch: a preloaded library's provider is not "
							+ "available to this compute");
				}
				return exact;
			});
		if (fromDocuments.isPresent()) {
			this.preloadFrom = PreloadFrom.DOCUMENTS;
			this.catalog = fromDocuments.get();
			return this.catalog;
		}
		this.preloadFrom = PreloadFrom.INDEX;
		SkimmedIndex index = this.source.skimmedIndex(this.spec.major(), this.spec.tenantId(), early);
		this.lastIndexRead = System.nanoTime();
		this.skimmed = index;
		this.catalog = ExtensionCatalog.preloadClosure(index, this.spec.availableExtensions(), preloadLibraries(),
				this.spec.listedOnly());
		return this.catalog;
	}

	/**
	 * Binds every entry of the indexes {@link #readPreload()} read (no second read: their
	 * bytes were verified then), and wakes the JIT requests waiting for it.
	 * @throws FetchException when an entry is not valid; waiting requests fail with it
	 */
	synchronized ExtensionCatalog completeRead() {
		if (this.complete.isDone()) {
			return this.complete.join();
		}
		ExtensionCatalog placed = this.catalog;
		try {
			// after a start from preload documents (or with nothing to preload) the
			// indexes are read only now
			ExtIndex whole = (this.skimmed != null) ? this.skimmed.parseAll()
					: this.source.index(this.spec.major(), this.spec.tenantId());
			this.lastIndexRead = System.nanoTime();
			this.catalog = ExtensionCatalog.of(whole, this.spec.availableExtensions(), preloadLibraries(),
					this.spec.listedOnly());
		}
		catch (IllegalArgumentException ex) {
			FetchException failure = new FetchException(FetchException.Reason.MISSING, ex.getMessage(), ex);
			this.complete.completeExceptionally(failure);
			throw failure;
		}
		catch (RuntimeException ex) {
			FetchException failure = (ex instanceof FetchException fetch) ? fetch
					: new FetchException(FetchException.Reason.UNAVAILABLE, String.valueOf(ex.getMessage()), ex);
			this.complete.completeExceptionally(failure);
			throw failure;
		}
		this.skimmed = null;
		if (this.preloadFrom == PreloadFrom.DOCUMENTS) {
			compareWithPlaced(placed);
		}
		this.complete.complete(this.catalog);
		return this.catalog;
	}

	/**
	 * Checks that the whole index names for the preload what the preload documents did: a
	 * projection that ran between the two reads may have changed either. The compute
	 * keeps running on what it placed, and those extensions keep the release they were
	 * placed with (as an index re-read keeps the release of every extension already
	 * known); the difference is logged and shown in the status.
	 */
	private void compareWithPlaced(ExtensionCatalog placed) {
		List<String> libraries = preloadLibraries();
		List<ExtIndexEntry> fromDocuments = placed.forLibraries(libraries);
		List<ExtIndexEntry> fromIndex = this.catalog.forLibraries(libraries);
		if (!Set.copyOf(fromDocuments).equals(Set.copyOf(fromIndex))) {
			String difference = "the preload documents named " + describe(fromDocuments)
					+ " but the index read after start names " + describe(fromIndex)
					+ "; the compute runs on what it placed until it restarts";
			this.mismatch = difference;
			log.warn("Preload differs from the index: {}", difference);
			this.catalog = new ExtensionCatalog(
					IndexMerge.merge(this.spec.major(), this.spec.tenantId(), this.catalog.index(), placed.index()));
		}
	}

	private static String describe(List<ExtIndexEntry> entries) {
		return entries.stream()
			.map((entry) -> entry.name().value() + " " + entry.version().value() + " ("
					+ entry.files().stream().map((file) -> file.sha256().hex().substring(0, 12)).toList() + ")")
			.toList()
			.toString();
	}

	/** Where the entries placed before launch came from. */
	PreloadFrom preloadFrom() {
		return this.preloadFrom;
	}

	/**
	 * How the index read after a start from preload documents differs from what they
	 * named, or {@code null}.
	 */
	String preloadMismatch() {
		return this.mismatch;
	}

	/**
	 * Ends the wait of JIT requests for a catalog that a failed start never completes.
	 */
	void abandon(Throwable cause) {
		this.complete.completeExceptionally(new FetchException(FetchException.Reason.UNAVAILABLE,
				"the compute did not start: " + cause.getMessage(), cause));
	}

	/**
	 * The catalog as far as it is bound: only the preload closure between
	 * {@link #readPreload()} and {@link #completeRead()}.
	 */
	ExtensionCatalog current() {
		return this.catalog;
	}

	/**
	 * Why the indexes read at start (or, after a start from preload documents, right
	 * after it) could not be bound, if they could not.
	 */
	Optional<FetchException> failure() {
		if (!this.complete.isCompletedExceptionally()) {
			return Optional.empty();
		}
		try {
			this.complete.join();
			return Optional.empty();
		}
		catch (CompletionException ex) {
			return Optional.of((ex.getCause() instanceof FetchException fetch) ? fetch : new FetchException(
					FetchException.Reason.MISSING, String.valueOf(ex.getCause().getMessage()), ex.getCause()));
		}
	}

	/** Whether every entry of the indexes read at start is bound. */
	boolean isComplete() {
		return this.complete.isDone();
	}

	/**
	 * The whole catalog, waiting up to {@code timeout} for the entries read at start to
	 * be bound.
	 * @throws FetchException when binding them failed
	 */
	ExtensionCatalog awaitComplete(Duration timeout) throws InterruptedException, TimeoutException {
		try {
			return this.complete.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof FetchException fetch) {
				throw fetch;
			}
			throw new FetchException(FetchException.Reason.MISSING, String.valueOf(ex.getCause().getMessage()),
					ex.getCause());
		}
	}

	/**
	 * The catalog after re-reading the indexes, unless they were read less than the
	 * interval ago.
	 */
	synchronized ExtensionCatalog refreshed() {
		if (!this.complete.isDone()) {
			// the indexes read at start are not bound yet: nothing is known to be missing
			return this.catalog;
		}
		long now = System.nanoTime();
		ExtensionCatalog current = this.catalog;
		if (now - this.lastIndexRead < this.interval.toNanos()) {
			return current;
		}
		this.lastIndexRead = now;
		try {
			ExtensionCatalog fresh = ExtensionCatalog.of(this.source.index(this.spec.major(), this.spec.tenantId()),
					this.spec.availableExtensions(), preloadLibraries(), this.spec.listedOnly());
			List<ExtIndexEntry> added = fresh.extensions()
				.stream()
				.filter((entry) -> current.index().find(entry.name().value()).isEmpty())
				.toList();
			if (added.isEmpty()) {
				return current;
			}
			List<ExtIndexEntry> merged = new ArrayList<>(current.extensions());
			merged.addAll(added);
			ControlFiles.write(this.install, added);
			log.info("Indexes re-read: {} extension(s) published since start: {}", added.size(),
					added.stream().map((entry) -> entry.name().value()).toList());
			this.catalog = new ExtensionCatalog(
					ExtIndex.of(current.index().pgMajor(), current.index().tenant(), merged));
			return this.catalog;
		}
		catch (IOException | RuntimeException ex) {
			log.warn("Re-reading the indexes failed, keeping the ones read at start: {}", ex.getMessage());
			return current;
		}
	}

	private List<String> preloadLibraries() {
		List<String> libraries = new ArrayList<>(this.spec.sharedPreloadLibraries());
		libraries.addAll(this.spec.sessionPreloadLibraries());
		return libraries;
	}

}
