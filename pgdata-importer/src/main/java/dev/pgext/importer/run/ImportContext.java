package dev.pgext.importer.run;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;

import dev.pgext.importer.ImporterProperties;
import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.model.store.S3ObjectStore;

/**
 * What every import run of this instance shares: stores, limits, threads and hooks.
 * Closing it (with the application context) stops the shared job and read-ahead threads.
 */
final class ImportContext implements AutoCloseable {

	private static final int CLOSE_WAIT_SECONDS = 10;

	private final ImporterProperties properties;

	private final S3ObjectStore storage;

	private final S3Reads reads;

	private final Failpoints failpoints;

	private final Upcaller upcaller;

	private final MemoryBudget memory;

	private final Semaphore jobSlots;

	private final ScheduledExecutorService scheduler;

	private final Counter bytesImported;

	private final Consumer<ImportRun> onFinished;

	private final ExecutorService jobs;

	private final ExecutorService prefetcher;

	private final StoreRetry storeRetry;

	private final UploadWatcher uploadWatcher;

	ImportContext(ImporterProperties properties, S3ObjectStore storage, S3Reads reads, Failpoints failpoints,
			Upcaller upcaller, ScheduledExecutorService scheduler, Counter bytesImported,
			Consumer<ImportRun> onFinished) {
		this.properties = properties;
		this.storage = storage;
		this.reads = reads;
		this.failpoints = failpoints;
		this.upcaller = upcaller;
		this.memory = new MemoryBudget(properties.memoryBudget().toBytes(),
				(int) Math.max(1, properties.maxRange().toBytes() / PgControl.BLOCK_SIZE) * PgControl.BLOCK_SIZE);
		this.jobSlots = new Semaphore(properties.jobConcurrency(), true);
		this.scheduler = scheduler;
		this.bytesImported = bytesImported;
		this.onFinished = onFinished;
		this.jobs = Executors.newFixedThreadPool(properties.jobConcurrency(), threads("import-job-"));
		this.prefetcher = Executors.newFixedThreadPool(properties.jobConcurrency(), threads("import-read-ahead-"));
		this.storeRetry = new StoreRetry(properties.storeRetryDeadline(), properties.s3().initialBackoff(),
				Duration.ofSeconds(30), Clock.systemUTC());
		this.uploadWatcher = new UploadWatcher(reads, properties.pgdataWaitTimeout(), properties.pgdataPollInitial(),
				properties.pgdataPollMax(), Clock.systemUTC());
	}

	/**
	 * Retries of import steps that fail because the store does, up to the configured
	 * deadline.
	 */
	StoreRetry storeRetry() {
		return this.storeRetry;
	}

	UploadWatcher uploadWatcher() {
		return this.uploadWatcher;
	}

	boolean requireFileList() {
		return this.properties.requireFileList();
	}

	private static ThreadFactory threads(String name) {
		AtomicInteger count = new AtomicInteger();
		return (r) -> {
			Thread t = new Thread(r, name + count.incrementAndGet());
			t.setDaemon(true);
			return t;
		};
	}

	/**
	 * Stops the shared job and read-ahead threads once the runs were stopped: jobs and
	 * reads already handed to them still run and end (a stopped run's jobs end at their
	 * next check, and none waits forever for a read that was dropped), then whatever is
	 * left after {@value #CLOSE_WAIT_SECONDS} seconds is interrupted.
	 */
	@Override
	public void close() {
		this.jobs.shutdown();
		this.prefetcher.shutdown();
		try {
			if (!this.jobs.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)
					|| !this.prefetcher.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
				this.jobs.shutdownNow();
				this.prefetcher.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			this.jobs.shutdownNow();
			this.prefetcher.shutdownNow();
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Threads that read ranges ahead of the jobs, {@code job-concurrency} of them: each
	 * running job has at most one read ahead in flight.
	 */
	ExecutorService prefetcher() {
		return this.prefetcher;
	}

	String instanceId() {
		return this.properties.instanceId();
	}

	S3ObjectStore storage() {
		return this.storage;
	}

	ObjectStore inputStore(String bucket) {
		return this.storage.forBucket(bucket);
	}

	S3Reads reads() {
		return this.reads;
	}

	Failpoints failpoints() {
		return this.failpoints;
	}

	Upcaller upcaller() {
		return this.upcaller;
	}

	MemoryBudget memory() {
		return this.memory;
	}

	Semaphore jobSlots() {
		return this.jobSlots;
	}

	ScheduledExecutorService scheduler() {
		return this.scheduler;
	}

	Counter bytesImported() {
		return this.bytesImported;
	}

	/**
	 * The job threads of this instance, {@code job-concurrency} of them, shared by every
	 * import; a run submits a job only once it holds one of the {@link #jobSlots()}.
	 */
	ExecutorService jobs() {
		return this.jobs;
	}

	void finished(ImportRun run) {
		this.onFinished.accept(run);
	}

	Duration lease() {
		return this.properties.lease();
	}

	int jobConcurrency() {
		return this.properties.jobConcurrency();
	}

	long jobSize() {
		return this.properties.jobSize().toBytes();
	}

	int compressionLevel() {
		return this.properties.compressionLevel();
	}

	int maxRangeBlocks() {
		return (int) Math.max(1, this.properties.maxRange().toBytes() / PgControl.BLOCK_SIZE);
	}

	int maxFiles() {
		return this.properties.maxFiles();
	}

	Path workDir() {
		return this.properties.workDir();
	}

}
