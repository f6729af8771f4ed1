package dev.pgext.importer.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.FileSystemUtils;

import dev.pgext.importer.layer.LayerFormatException;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.importer.plan.ImportPlan;
import dev.pgext.importer.plan.Job;
import dev.pgext.importer.plan.Manifest;
import dev.pgext.importer.plan.ManifestEntry;
import dev.pgext.importer.plan.Planner;
import dev.pgext.importer.run.IndexPart.FinishedJob;
import dev.pgext.importer.run.IndexPart.State;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.model.store.ObjectStoreException;

/**
 * One instance's work on one import, from waiting for the upload to the acknowledged
 * upcall. Every outcome is recorded in {@code index_part.json}: no exception leaves this
 * class, an error in the input or in a job fails the import with its reason and nothing
 * else.
 */
final class ImportRun implements Runnable {

	private static final Logger log = LoggerFactory.getLogger(ImportRun.class);

	private static final JsonMapper JSON = DocumentJson.COMPACT;

	private static final int JOBS_PER_SLOT = 4;

	private static final String CONTROL_FILE = "global/pg_control";

	private static final long MIN_BALANCED_JOB_SIZE = 32L * 1024 * 1024;

	private final ImportContext context;

	private final StoreRetry retry;

	private final IndexHandle index;

	private final ImportId id;

	private volatile boolean stopped;

	private volatile Thread thread;

	private volatile ImportPhase phase;

	ImportRun(ImportContext context, IndexHandle index) {
		this.context = context;
		this.index = index;
		this.id = index.part().id();
		this.retry = context.storeRetry();
		// where runImport starts: waiting for the upload, or planning again from a
		// recorded plan
		this.phase = (index.part().importPgdata().plan() == null) ? ImportPhase.WAITING_FOR_UPLOAD
				: ImportPhase.PLANNING;
	}

	ImportId id() {
		return this.id;
	}

	IndexHandle index() {
		return this.index;
	}

	/**
	 * Stops the work of this instance (cancellation, shutdown, lost lease); records
	 * nothing.
	 */
	void stop() {
		this.stopped = true;
		Thread t = this.thread;
		if (t != null) {
			t.interrupt();
		}
	}

	boolean stopped() {
		return this.stopped;
	}

	/**
	 * What this run does at the moment; meaningful while its import is in progress.
	 */
	ImportPhase phase() {
		return this.phase;
	}

	@Override
	public void run() {
		this.thread = Thread.currentThread();
		ScheduledFuture<?> heartbeat = this.context.scheduler()
			.scheduleWithFixedDelay(this::renewLease, this.context.lease().toMillis() / 3,
					this.context.lease().toMillis() / 3, TimeUnit.MILLISECONDS);
		try {
			if (this.index.part().importPgdata().state() == State.IN_PROGRESS) {
				try {
					runImport();
					this.phase = ImportPhase.FINISHING;
					this.retry.call("recording the outcome",
							() -> this.index.update((i) -> i.withState(State.DONE, null, now())));
					log.info("Import {} done", this.id);
				}
				catch (ImportStoppedException | Failpoints.SimulatedCrash ex) {
					throw ex;
				}
				catch (InterruptedException ex) {
					throw new ImportStoppedException("interrupted");
				}
				catch (Exception ex) {
					if (this.stopped) {
						throw new ImportStoppedException("stopped");
					}
					String reason = reason(ex);
					this.phase = ImportPhase.FINISHING;
					log.warn("Import {} failed: {}", this.id, reason,
							(ex instanceof InvalidPgdataException || ex instanceof ImportFailedException) ? null : ex);
					this.retry.call("recording the outcome",
							() -> this.index.update((i) -> i.withState(State.FAILED, reason, now())));
				}
			}
			IndexPart.Import state = this.index.part().importPgdata();
			if ((state.state() == State.DONE || state.state() == State.FAILED) && !state.upcallDelivered()) {
				announce();
			}
		}
		catch (ImportStoppedException ex) {
			log.info("Import {} stopped on this instance: {}", this.id, ex.getMessage());
		}
		catch (Failpoints.SimulatedCrash ex) {
			log.warn("Import {}: {}", this.id, ex.getMessage());
		}
		catch (InterruptedException ex) {
			log.info("Import {} interrupted", this.id);
		}
		catch (Exception ex) {
			// S3 unreachable while recording the outcome: the lease runs out and a rescan
			// retries
			log.error("Import {} could not record its outcome: {}", this.id, ex.toString(), ex);
		}
		finally {
			heartbeat.cancel(false);
			this.context.finished(this);
		}
	}

	private void renewLease() {
		if (this.stopped) {
			return;
		}
		try {
			this.index.update((i) -> i
				.withOwner(new IndexPart.Owner(this.context.instanceId(), now().plus(this.context.lease()))));
		}
		catch (ImportStoppedException ex) {
			log.info("Import {} lost: {}", this.id, ex.getMessage());
			stop();
		}
		catch (RuntimeException ex) {
			log.warn("Import {} lease renewal failed: {}", this.id, ex.toString());
		}
	}

	private void runImport() throws Exception {
		// what an earlier run of this import on this instance left when it was killed
		FileSystemUtils.deleteRecursively(runDirectory());
		try {
			importFromManifest();
		}
		finally {
			Files.deleteIfExists(InputListing.localFile(this.context, this.id));
			FileSystemUtils.deleteRecursively(runDirectory());
		}
	}

	/**
	 * The local directory of this run's own files: the upload's status object, the file
	 * list sorted by path, the planner's sort files while it plans, then the jobs file.
	 * Emptied when a run starts (what a killed run left) and removed when it ends,
	 * whatever the outcome.
	 */
	private Path runDirectory() {
		return this.context.workDir()
			.resolve(this.id.tenantId() + "-" + this.id.shard().slug() + "-" + this.id.timelineId() + "-plan");
	}

	private void importFromManifest() throws Exception {
		IndexPart.Import state = this.index.part().importPgdata();
		String bucket = state.location().bucket();
		String prefix = state.location().prefix();
		Manifest manifest;
		InputReader reader;
		ImportPlan plan;
		FileVerification files;
		if (state.plan() == null) {
			Path status = Files.createDirectories(runDirectory()).resolve("status-pgdata.json");
			this.context.uploadWatcher().await(bucket, prefix, state.startedAt(), status, this::checkStopped);
			this.phase = ImportPhase.LISTING;
			this.context.failpoints().hit(Failpoints.AFTER_UPLOAD);
			manifest = this.retry.call("freezing the manifest",
					() -> new InputListing(this.context, this.id).freeze(bucket, prefix, status));
			this.phase = ImportPhase.PLANNING;
			this.context.failpoints().hit(Failpoints.AFTER_LISTING);
			Sha256Digest manifestDigest = manifest.digest();
			files = FileVerification.of(manifest, this.id.shard().count() == 1, runDirectory());
			reader = reader(bucket, prefix);
			InputReader frozen = reader;
			Manifest listing = manifest;
			PgControl control = this.retry.call("reading pg_control", () -> readControl(frozen, listing, files));
			long jobSize = this.context.jobSize();
			plan = Planner.plan(manifest.files(), manifestDigest, control, this.id.shard(), jobSize,
					this.context.compressionLevel(), files.active(), runDirectory());
			long balanced = balancedJobSize(plan.bytes(), jobSize);
			if (balanced < jobSize) {
				jobSize = balanced;
				Files.delete(plan.jobsFile());
				plan = Planner.plan(manifest.files(), manifestDigest, control, this.id.shard(), jobSize,
						this.context.compressionLevel(), files.active(), runDirectory());
			}
			IndexPart.Plan summary = new IndexPart.Plan(plan.id().hex(), manifestDigest.hex(), plan.jobCount(), jobSize,
					this.context.compressionLevel(), plan.bytes(), PgControl.lsn(control.checkpointLsn()),
					control.pgMajor(), control.dataChecksums());
			ImportPlan made = plan;
			this.retry.call("recording the plan", () -> this.index.update((i) -> i.withPlan(summary, made.skipped())));
		}
		else {
			IndexPart.Plan recorded = state.plan();
			Path local = InputListing.localFile(this.context, this.id);
			manifest = this.retry.call("reading the frozen manifest",
					() -> new InputListing(this.context, this.id).download(local)
						.orElseThrow(() -> new ImportFailedException("the frozen manifest of this import is missing")));
			Sha256Digest manifestDigest = manifest.digest();
			if (!manifestDigest.hex().equals(recorded.manifestSha256())) {
				throw new ImportFailedException("the frozen manifest does not match its recorded digest");
			}
			files = FileVerification.of(manifest, this.id.shard().count() == 1, runDirectory());
			reader = reader(bucket, prefix);
			InputReader frozen = reader;
			Manifest listing = manifest;
			PgControl control = this.retry.call("reading pg_control", () -> readControl(frozen, listing, files));
			plan = Planner.plan(manifest.files(), manifestDigest, control, this.id.shard(), recorded.jobSizeBytes(),
					recorded.compressionLevel(), files.active(), runDirectory());
			if (!plan.id().hex().equals(recorded.id())) {
				throw new ImportFailedException("the resumed import plans differently than it did at first (plan "
						+ plan.id().hex() + ", recorded " + recorded.id() + ")");
			}
			log.info("Import {} resumes: {} of {} jobs finished", this.id, state.finishedJobs().size(),
					plan.jobCount());
		}
		this.phase = ImportPhase.IMPORTING;
		this.context.failpoints().hit(Failpoints.AFTER_PLAN);
		LayerBuilder builder = new LayerBuilder(this.context, this.id, plan, reader, files,
				this.index.part().importPgdata().plan().compressionLevel(), this::stopped);
		runJobs(plan, builder);
	}

	/**
	 * The job size that gives every job slot about {@value #JOBS_PER_SLOT} jobs, so that
	 * no slot idles while the last large job runs alone; never above the configured size,
	 * never below {@value #MIN_BALANCED_JOB_SIZE} bytes (layers stay large). Recorded in
	 * the plan, so a resumed import plans with the same size.
	 */
	private long balancedJobSize(long totalBytes, long configured) {
		long slots = (long) this.context.jobConcurrency() * JOBS_PER_SLOT;
		long even = (totalBytes + slots - 1) / slots;
		long pages = (even + PgControl.BLOCK_SIZE - 1) / PgControl.BLOCK_SIZE;
		return Math.min(configured, Math.max(MIN_BALANCED_JOB_SIZE, pages * PgControl.BLOCK_SIZE));
	}

	/**
	 * A reader of the input files; it holds no file list, the tasks of the plan name the
	 * files they read as the manifest froze them.
	 */
	private InputReader reader(String bucket, String prefix) {
		return new InputReader(this.context.reads(), bucket, ImportLayout.pgdataPrefix(prefix));
	}

	private static PgControl readControl(InputReader reader, Manifest manifest, FileVerification files) {
		ManifestEntry[] found = new ManifestEntry[1];
		manifest.files().forEach((listed) -> {
			if (listed.path().equals(CONTROL_FILE)) {
				found[0] = listed;
			}
		});
		ManifestEntry entry = found[0];
		if (entry == null) {
			throw new InvalidPgdataException("'global/pg_control' is missing: this is not a PGDATA directory");
		}
		if (entry.size() != PgControl.FILE_SIZE) {
			throw new InvalidPgdataException("'global/pg_control' is " + entry.size() + " bytes, a control file is "
					+ PgControl.FILE_SIZE + " bytes");
		}
		byte[] bytes = reader.readWhole(entry);
		files.verifyWhole("global/pg_control", bytes);
		return PgControl.parse(bytes);
	}

	/**
	 * Runs the jobs that are not finished, at most {@code job-concurrency} at once across
	 * all imports. A finished job counts only when its layer is in the storage bucket
	 * with the recorded size and SHA-256 (read back and hashed); otherwise it runs again.
	 */
	private void runJobs(ImportPlan plan, LayerBuilder builder) throws Exception {
		Map<Integer, FinishedJob> finished = this.index.part()
			.importPgdata()
			.finishedJobs()
			.stream()
			.collect(Collectors.toMap(FinishedJob::job, (j) -> j));
		ExecutorService executor = this.context.jobs();
		AtomicReference<Exception> failure = new AtomicReference<>();
		List<Future<?>> futures = new ArrayList<>();
		// the jobs of this run on the shared threads: counted in, so the run can wait for
		// its own to end
		Phaser inFlight = new Phaser(1);
		Set<Thread> threads = new HashSet<>();
		AtomicBoolean closing = new AtomicBoolean();
		try (Stream<Job> jobs = plan.jobs()) {
			for (Job job : (Iterable<Job>) jobs::iterator) {
				FinishedJob recorded = finished.get(job.id());
				this.context.jobSlots().acquire();
				if (failure.get() != null || this.stopped) {
					this.context.jobSlots().release();
					break;
				}
				inFlight.register();
				try {
					futures.add(executor.submit(() -> {
						try {
							synchronized (threads) {
								if (closing.get()) {
									return null;
								}
								threads.add(Thread.currentThread());
							}
							try {
								runJob(job, recorded, builder);
							}
							catch (Exception ex) {
								failure.compareAndSet(null, ex);
							}
							finally {
								synchronized (threads) {
									threads.remove(Thread.currentThread());
									// an interrupt meant for this run stays with it
									Thread.interrupted();
								}
							}
							return null;
						}
						finally {
							this.context.jobSlots().release();
							inFlight.arriveAndDeregister();
						}
					}));
				}
				catch (RejectedExecutionException ex) {
					inFlight.arriveAndDeregister();
					this.context.jobSlots().release();
					throw new ImportStoppedException("the importer is shutting down");
				}
			}
			for (Future<?> future : futures) {
				future.get();
			}
		}
		catch (ExecutionException ex) {
			failure.compareAndSet(null, ex);
		}
		finally {
			// nothing of this run may still be writing once it returns, or a resumed run
			// would race it
			synchronized (threads) {
				closing.set(true);
				threads.forEach(Thread::interrupt);
			}
			awaitJobs(inFlight);
		}
		if (failure.get() != null) {
			throw failure.get();
		}
		checkStopped();
		int done = this.index.part().importPgdata().finishedJobs().size();
		if (done != plan.jobCount()) {
			throw new ImportFailedException("only " + done + " of " + plan.jobCount() + " jobs finished");
		}
	}

	/**
	 * One job: an intact recorded layer counts as it is, otherwise the layer is built,
	 * uploaded and recorded.
	 */
	private void runJob(Job job, FinishedJob recorded, LayerBuilder builder) throws Exception {
		LayerBuilder.Written written = null;
		try {
			if (recorded != null
					&& this.retry.call("checking layer " + recorded.layer(), () -> builder.intact(recorded))) {
				return;
			}
			written = this.retry.call("job " + job.id(), () -> builder.write(job));
			LayerBuilder.Written layer = written;
			this.retry.call("uploading the layer of job " + job.id(), () -> {
				FinishedJob done = builder.upload(layer);
				this.index.update((i) -> i.withJobFinished(done));
				return done;
			});
			this.context.failpoints().hit(Failpoints.AFTER_JOB);
		}
		finally {
			if (written != null) {
				builder.discard(written);
			}
		}
	}

	/**
	 * Waits until every job this run submitted has ended (they were interrupted if still
	 * running).
	 */
	private void awaitJobs(Phaser inFlight) {
		int phase = inFlight.arrive();
		try {
			inFlight.awaitAdvanceInterruptibly(phase, 5, TimeUnit.MINUTES);
		}
		catch (TimeoutException ex) {
			log.error("Import {}: jobs still running 5 minutes after they were interrupted", this.id);
		}
		catch (InterruptedException ex) {
			inFlight.awaitAdvance(phase);
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Writes the shard status object into the input location, then notifies the control
	 * plane.
	 */
	private void announce() throws Exception {
		IndexPart part = this.index.part();
		IndexPart.Import state = part.importPgdata();
		ObjectStore input = this.context.inputStore(state.location().bucket());
		LinkedHashMap<String, Object> status = new LinkedHashMap<>();
		status.put("done", state.state() == State.DONE);
		if (state.error() != null) {
			status.put("error", state.error());
		}
		try {
			this.retry.call("writing the shard status object",
					() -> input.put(ImportLayout.shardStatus(state.location().prefix(), this.id),
							JSON.writeValueAsBytes(status), "application/json"));
		}
		catch (ObjectStoreException ex) {
			if (ex.statusCode() < 400 || ex.statusCode() >= 500) {
				throw ex;
			}
			// the input location refuses writes (deleted bucket, read-only grant): the
			// upcall still tells
			log.warn("Import {}: could not write the shard status object: {}", this.id, ex.getMessage());
		}
		if (this.context.upcaller().configured()) {
			this.context.upcaller().deliver(part, this::stopped);
		}
		this.retry.call("recording the upcall", () -> this.index.update(IndexPart.Import::withUpcallDelivered));
	}

	private void checkStopped() {
		if (this.stopped || Thread.currentThread().isInterrupted()) {
			throw new ImportStoppedException("stopped");
		}
	}

	private Instant now() {
		return this.index.clock().instant();
	}

	static String reason(Throwable ex) {
		Throwable t = ex;
		while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
			t = t.getCause();
		}
		if (t instanceof InvalidPgdataException || t instanceof ImportFailedException) {
			return t.getMessage();
		}
		if (t instanceof StoreRetry.StoreUnavailableException) {
			return t.getMessage();
		}
		if (t instanceof ObjectStoreException || StoreRetry.isTransient(t)) {
			return "object store: " + StoreRetry.describe(t);
		}
		if (t instanceof LayerFormatException) {
			return "layer: " + t.getMessage();
		}
		return "internal error: " + t;
	}

}
