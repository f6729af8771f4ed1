package dev.pgext.loader.compute;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.loader.fetch.DeferredSync;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * Downloads whole extensions on a bounded pool, most urgent first, and never the same
 * extension twice at once: a request for an extension that is queued or downloading joins
 * that download (and may raise its priority); a failed download fails every waiter with
 * the reason and is forgotten, so the next request starts afresh.
 */
public final class DownloadScheduler implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(DownloadScheduler.class);

	/** Why an extension is wanted, most urgent first. */
	public enum Priority {

		/** A backend is blocked in a JIT request. */
		JIT,

		/** {@code shared_preload_libraries}: Postgres cannot start without it. */
		SERVER_PRELOAD,

		/** {@code session_preload_libraries}: every new session loads it. */
		SESSION_PRELOAD,

		/** Created in some database of this compute. */
		INSTALLED,

		/** Available but not used yet. */
		BACKGROUND;

		/** Whether the background bandwidth limit applies. */
		boolean throttled() {
			return this.compareTo(INSTALLED) >= 0;
		}

		String tag() {
			return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		}

	}

	/** Where an extension stands. */
	public enum State {

		/** Only its control file is in place. */
		AVAILABLE,

		/** Waiting for a worker. */
		QUEUED,

		/** A worker is placing its files. */
		DOWNLOADING,

		/** Every file is in place and verified. */
		PLACED,

		/** The last attempt failed; the next request tries again. */
		FAILED

	}

	/**
	 * What {@code GET /status} shows about one extension.
	 *
	 * @param name the extension
	 * @param version the release
	 * @param state where it stands
	 * @param priority why it is queued or downloading, or {@code null}
	 * @param files how many files it has
	 * @param bytes how many bytes they add up to
	 * @param error the reason of the last failure, or {@code null}
	 * @param placedAt when its last file was placed, or {@code null}
	 */
	public record ExtensionStatus(String name, String version, State state, Priority priority, int files, long bytes,
			String error, @JsonProperty("placed_at") Instant placedAt) {

	}

	private final class Task implements Comparable<Task> {

		final ExtIndexEntry entry;

		final long sequence;

		final CompletableFuture<Void> done = new CompletableFuture<>();

		/** Renames without fsync, made durable later; or {@code null}. */
		final DeferredSync deferred;

		volatile Priority priority;

		Task(ExtIndexEntry entry, Priority priority, long sequence, DeferredSync deferred) {
			this.entry = entry;
			this.priority = priority;
			this.sequence = sequence;
			this.deferred = deferred;
		}

		@Override
		public int compareTo(Task other) {
			int byPriority = this.priority.compareTo(other.priority);
			return (byPriority != 0) ? byPriority : Long.compare(this.sequence, other.sequence);
		}

	}

	private final PostgresInstall install;

	private final FilePlacer placer;

	private final PriorityBlockingQueue<Task> queue = new PriorityBlockingQueue<>();

	private final Map<String, Task> inFlight = new HashMap<>();

	private final Map<String, ExtensionStatus> status = new TreeMap<>();

	private final AtomicLong sequence = new AtomicLong();

	private volatile boolean closing;

	private final ExecutorService workers;

	/**
	 * Places the files of a JIT or preload extension side by side; background ones go
	 * file by file.
	 */
	private final ExecutorService fileWorkers;

	private final List<AutoCloseable> meters = new ArrayList<>();

	public DownloadScheduler(PostgresInstall install, FilePlacer placer, List<ExtIndexEntry> catalog, int workers,
			MeterRegistry registry) {
		this.install = install;
		this.placer = placer;
		for (ExtIndexEntry entry : catalog) {
			this.status.put(entry.name().value(), new ExtensionStatus(entry.name().value(), entry.version().value(),
					State.AVAILABLE, null, entry.files().size(), bytes(entry), null, null));
		}
		for (Priority priority : Priority.values()) {
			Gauge gauge = Gauge.builder("pgext.loader.queue.depth", this, (scheduler) -> scheduler.queued(priority))
				.strongReference(true)
				.description("Extensions waiting for a download worker")
				.tag("priority", priority.tag())
				.register(registry);
			this.meters.add(() -> registry.remove(gauge));
		}
		AtomicInteger thread = new AtomicInteger();
		this.workers = Executors.newFixedThreadPool(workers, (runnable) -> {
			Thread t = new Thread(runnable, "pgext-download-" + thread.incrementAndGet());
			t.setDaemon(true);
			return t;
		});
		for (int i = 0; i < workers; i++) {
			this.workers.execute(this::work);
		}
		AtomicInteger fileThread = new AtomicInteger();
		this.fileWorkers = Executors.newFixedThreadPool(workers, (runnable) -> {
			Thread t = new Thread(runnable, "pgext-file-" + fileThread.incrementAndGet());
			t.setDaemon(true);
			return t;
		});
	}

	/**
	 * Adds {@code entries} to the extensions {@code /status} lists, as
	 * {@link State#AVAILABLE} unless already known: the catalog's rest, bound after
	 * start.
	 */
	public synchronized void available(List<ExtIndexEntry> entries) {
		for (ExtIndexEntry entry : entries) {
			this.status.computeIfAbsent(entry.name().value(), (name) -> new ExtensionStatus(name,
					entry.version().value(), State.AVAILABLE, null, entry.files().size(), bytes(entry), null, null));
		}
	}

	/** Asks for every file of {@code entry}; completes when they are all in place. */
	public CompletableFuture<Void> request(ExtIndexEntry entry, Priority priority) {
		return request(entry, priority, null);
	}

	/**
	 * As {@link #request(ExtIndexEntry, Priority)}; with {@code deferred}, a download
	 * this request starts renames its files into place without fsync
	 * ({@link FilePlacer#promote(java.util.Collection, ExecutorService, DeferredSync)}):
	 * for the preload before Postgres launches, whose journal {@code deferred} keeps.
	 */
	public synchronized CompletableFuture<Void> request(ExtIndexEntry entry, Priority priority, DeferredSync deferred) {
		String name = entry.name().value();
		ExtensionStatus current = this.status.get(name);
		if (current != null && current.state() == State.PLACED) {
			return CompletableFuture.completedFuture(null);
		}
		Task task = this.inFlight.get(name);
		if (task != null) {
			promote(task, priority);
			return task.done;
		}
		task = new Task(entry, priority, this.sequence.incrementAndGet(), deferred);
		this.inFlight.put(name, task);
		update(task, State.QUEUED, null);
		this.queue.add(task);
		return task.done;
	}

	/**
	 * Asks for several extensions; completes when all are in place, or fails with the
	 * first failure.
	 */
	public CompletableFuture<Void> requestAll(List<ExtIndexEntry> entries, Priority priority) {
		return requestAll(entries, priority, null);
	}

	/**
	 * As {@link #requestAll(List, Priority)}, the downloads started renaming without
	 * fsync under {@code deferred}'s journal.
	 */
	public CompletableFuture<Void> requestAll(List<ExtIndexEntry> entries, Priority priority, DeferredSync deferred) {
		return CompletableFuture.allOf(
				entries.stream().map((entry) -> request(entry, priority, deferred)).toArray(CompletableFuture[]::new));
	}

	/**
	 * Places the files of {@code entries} now, on the file workers, without changing any
	 * extension's status: part of an extension ahead of the rest (a preloaded extension's
	 * libraries before Postgres starts or before the compute is ready), whose later
	 * {@link #request} finds those files in place and places what is still missing.
	 * @param deferred with it, the files are renamed without fsync under its journal
	 */
	public CompletableFuture<Void> placeAhead(List<ExtIndexEntry> entries, DeferredSync deferred) {
		List<ExtFile> files = entries.stream().flatMap((entry) -> entry.files().stream()).toList();
		if (files.isEmpty()) {
			return CompletableFuture.completedFuture(null);
		}
		return CompletableFuture.runAsync(
				() -> this.placer.placeAll(files, this.install::resolve, () -> false, this.fileWorkers, deferred),
				(task) -> {
					Thread thread = new Thread(task, "pgext-place-ahead");
					thread.setDaemon(true);
					thread.start();
				});
	}

	private void promote(Task task, Priority priority) {
		if (priority.compareTo(task.priority) >= 0) {
			return;
		}
		// the queue orders by priority, so a queued task must leave it before its
		// priority changes
		if (this.queue.remove(task)) {
			task.priority = priority;
			this.queue.add(task);
		}
		else {
			task.priority = priority;
		}
		update(task, this.status.get(task.entry.name().value()).state(), null);
	}

	private void work() {
		while (!Thread.currentThread().isInterrupted()) {
			Task task;
			try {
				task = this.queue.take();
			}
			catch (InterruptedException ex) {
				return;
			}
			synchronized (this) {
				update(task, State.DOWNLOADING, null);
			}
			run(task);
		}
	}

	private void run(Task task) {
		String name = task.entry.name().value();
		try {
			if (task.priority.throttled()) {
				this.placer.placeAll(task.entry.files(), this.install::resolve, () -> task.priority.throttled());
			}
			else {
				this.placer.placeAll(task.entry.files(), this.install::resolve, () -> task.priority.throttled(),
						this.fileWorkers, task.deferred);
			}
			synchronized (this) {
				this.inFlight.remove(name);
				update(task, State.PLACED, null);
			}
			log.debug("Extension {} placed ({} files)", name, task.entry.files().size());
			task.done.complete(null);
		}
		catch (RuntimeException ex) {
			String reason = ex.getMessage();
			synchronized (this) {
				// forgotten before the waiters hear of it, so that their next request
				// starts a new download
				this.inFlight.remove(name);
				update(task, State.FAILED, reason);
			}
			if (this.closing) {
				log.debug("Extension {} not placed, the loader is stopping: {}", name, reason);
			}
			else {
				log.warn("Extension {} could not be placed: {}", name, reason);
			}
			task.done.completeExceptionally(ex);
		}
	}

	private void update(Task task, State state, String error) {
		String name = task.entry.name().value();
		ExtensionStatus old = this.status.get(name);
		this.status.put(name,
				new ExtensionStatus(name, task.entry.version().value(), state,
						(state == State.QUEUED || state == State.DOWNLOADING) ? task.priority : null,
						task.entry.files().size(), bytes(task.entry), error,
						(state == State.PLACED) ? Instant.now() : (old != null) ? old.placedAt() : null));
	}

	/**
	 * How many extensions wait for a worker with {@code priority}: counted from the queue
	 * itself under the scheduler's lock, so it cannot drift from it (a promotion moves a
	 * task out of the queue and back under that lock; a worker's take only removes).
	 */
	public synchronized int queued(Priority priority) {
		int count = 0;
		for (Task task : this.queue.toArray(new Task[0])) {
			if (task.priority == priority) {
				count++;
			}
		}
		return count;
	}

	/** Every extension's state, by name. */
	public synchronized List<ExtensionStatus> status() {
		return List.copyOf(this.status.values());
	}

	/** The state of one extension, or {@code null} when it is not in the catalog. */
	public synchronized ExtensionStatus status(String name) {
		return this.status.get(name);
	}

	private static long bytes(ExtIndexEntry entry) {
		return entry.files().stream().mapToLong(ExtFile::size).sum();
	}

	/** Stops the workers; downloads in progress fail and leave no partial file behind. */
	@Override
	public void close() {
		this.closing = true;
		this.workers.shutdownNow();
		this.fileWorkers.shutdownNow();
		try {
			this.workers.awaitTermination(10, TimeUnit.SECONDS);
			this.fileWorkers.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		List<Task> left;
		synchronized (this) {
			left = new ArrayList<>(this.inFlight.values());
			this.inFlight.clear();
			this.queue.clear();
		}
		left.forEach((task) -> task.done
			.completeExceptionally(new FetchException(FetchException.Reason.LOCAL_IO, "the loader is stopping")));
		for (AutoCloseable meter : this.meters) {
			try {
				meter.close();
			}
			catch (Exception ex) {
				// a meter that is already gone needs no removal
			}
		}
	}

}
