package dev.pgext.loader.compute;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.loader.fetch.DeferredSync;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.loader.fetch.FilePlacer.Staged;
import dev.pgext.loader.fetch.IndexText;
import dev.pgext.loader.fetch.IndexText.EntrySkim;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.control.ControlFile;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * Fetches the server-preload extensions' libraries (their files under {@code $libdir},
 * what Postgres loads at start; their scripts follow once it is ready) while the index
 * that names them still streams in, so that their transfer overlaps the index's instead
 * of following it. An entry that provides one of the {@code shared_preload_libraries} (or
 * that such an entry requires, when it comes later in the document) starts, as soon as
 * the tokenizer has passed it, the download of those files into staged names
 * ({@link FilePlacer#stage}): each verified against the digest the entry gives, none with
 * its real name, so Postgres cannot see them. Nothing in the document is trusted yet at
 * that point; {@link #promote} later puts in place only the staged files whose path and
 * digest the verified preload closure names, and everything else is deleted. A document
 * refused by its signature thus places nothing ({@link #close} deletes what was staged).
 */
final class EarlyPreload implements IndexText.EntryListener, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(EarlyPreload.class);

	private static final AtomicInteger THREADS = new AtomicInteger();

	private final FilePlacer placer;

	private final PostgresInstall install;

	private final Set<String> libraries = new HashSet<>();

	private final Set<String> available;

	private final ExecutorService pool;

	/** Guarded by {@code this}: names required by an entry staged so far. */
	private final Set<String> required = new HashSet<>();

	/** Guarded by {@code this}: by path and digest. */
	private final Map<String, Future<Staged>> staging = new LinkedHashMap<>();

	/** Guarded by {@code this}. */
	private boolean closed;

	/**
	 * @param libraries the {@code shared_preload_libraries}
	 * @param available the spec's available extensions; empty for all
	 * @param workers how many files download side by side
	 */
	EarlyPreload(FilePlacer placer, PostgresInstall install, List<String> libraries, List<String> available,
			int workers) {
		this.placer = placer;
		this.install = install;
		libraries.forEach((library) -> this.libraries.add(ControlFile.libraryName(library)));
		this.available = Set.copyOf(available);
		this.pool = Executors.newFixedThreadPool(Math.max(1, workers), (task) -> {
			Thread thread = new Thread(task, "pgext-early-preload-" + THREADS.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	/** Whether there is anything to fetch early. */
	boolean wanted() {
		return !this.libraries.isEmpty();
	}

	@Override
	public void skimmed(EntrySkim skim, Supplier<ExtIndexEntry> text) {
		if (!wanted()) {
			return;
		}
		boolean provides = skim.libraries().stream().anyMatch(this.libraries::contains);
		synchronized (this) {
			if (this.closed || !(provides || this.required.contains(skim.name()))) {
				return;
			}
			// a waste at worst: the verified closure decides what is placed
			if (!this.available.isEmpty() && !this.available.contains(skim.name()) && !skim.libraryOnly()) {
				return;
			}
			this.required.addAll(skim.requires());
		}
		ExtIndexEntry entry = text.get();
		synchronized (this) {
			if (this.closed) {
				return;
			}
			for (ExtFile file : entry.files()) {
				if (file.isLibrary()) {
					this.staging.computeIfAbsent(key(file.path(), file.sha256()), (key) -> this.pool
						.submit(() -> this.placer.stage(file, this.install.resolve(file.path()), () -> false)));
				}
			}
		}
	}

	/**
	 * As {@link #promote(Collection, DeferredSync)}, each file fsynced before its rename.
	 */
	int promote(Collection<ExtIndexEntry> closure) {
		return promote(closure, null);
	}

	/**
	 * Puts in place the staged files that {@code closure} (verified entries) names with
	 * the same path and digest, in one batch ({@link FilePlacer#promote}); every other
	 * staged file is deleted. A file whose early download failed is left to the caller's
	 * usual placement.
	 * @param deferred with it, the files are renamed without fsync under its journal
	 * ({@link FilePlacer#promote(Collection, ExecutorService, DeferredSync)}), or
	 * {@code null}
	 * @return how many files were put in place from their staged copies
	 */
	int promote(Collection<ExtIndexEntry> closure, DeferredSync deferred) {
		Set<String> named = new HashSet<>();
		closure.forEach((entry) -> entry.files().forEach((file) -> named.add(key(file.path(), file.sha256()))));
		List<Staged> matching = new ArrayList<>();
		List<Staged> others = new ArrayList<>();
		finish().forEach((key, staged) -> (named.contains(key) ? matching : others).add(staged));
		FilePlacer.discard(others);
		try {
			this.placer.promote(matching, this.pool, deferred);
		}
		catch (RuntimeException ex) {
			// the usual placement of the closure tries again
			log.warn("Files fetched early could not be put in place: {}", ex.getMessage());
			return 0;
		}
		return (int) matching.stream().filter((staged) -> staged.part() != null).count();
	}

	/**
	 * Ends the staging: no entry starts a download any more, and those started are waited
	 * for.
	 * @return the files staged, by path and digest (those whose download failed left out)
	 */
	private Map<String, Staged> finish() {
		Map<String, Future<Staged>> started;
		synchronized (this) {
			this.closed = true;
			started = new LinkedHashMap<>(this.staging);
			this.staging.clear();
		}
		Map<String, Staged> staged = new LinkedHashMap<>();
		started.forEach((key, future) -> {
			Staged one = outcome(future);
			if (one != null) {
				staged.put(key, one);
			}
		});
		return staged;
	}

	private static Staged outcome(Future<Staged> future) {
		try {
			return future.get();
		}
		catch (ExecutionException ex) {
			log.debug("Fetching a preload file early failed: {}", ex.getCause().getMessage());
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			future.cancel(true);
			return null;
		}
	}

	/**
	 * Waits for any staging still running and deletes every staged file not put in place
	 * (all of them when the index was refused), then stops the threads.
	 */
	@Override
	public void close() {
		FilePlacer.discard(finish().values());
		this.pool.shutdownNow();
	}

	private static String key(String path, Sha256Digest sha256) {
		return path + "\u0000" + sha256;
	}

}
