package dev.pgext.importer.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.importer.keyspace.Key;
import dev.pgext.importer.layer.ImageLayerFormat;
import dev.pgext.importer.layer.ImageLayerWriter;
import dev.pgext.importer.layer.LayerFormatException;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.pgdata.PageVerifier;
import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.importer.pgdata.RelMapFile;
import dev.pgext.importer.plan.ImportPlan;
import dev.pgext.importer.plan.Job;
import dev.pgext.importer.plan.Manifest;
import dev.pgext.importer.plan.ManifestEntry;
import dev.pgext.importer.plan.Planner;
import dev.pgext.importer.plan.Task;
import dev.pgext.importer.run.IndexPart.FinishedJob;
import dev.pgext.importer.run.IndexPart.State;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.model.store.ObjectStoreException;

/**
 * One instance's work on one import, from waiting for the upload to the acknowledged upcall.
 * Every outcome is recorded in {@code index_part.json}: no exception leaves this class, an
 * error in the input or in a job fails the import with its reason and nothing else.
 */
final class ImportRun implements Runnable {

	private static final Logger log = LoggerFactory.getLogger(ImportRun.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int PAGE = PgControl.BLOCK_SIZE;

	private final ImportContext context;

	private final IndexHandle index;

	private final ImportId id;

	private volatile boolean stopped;

	private volatile Thread thread;

	ImportRun(ImportContext context, IndexHandle index) {
		this.context = context;
		this.index = index;
		this.id = index.part().id();
	}

	ImportId id() {
		return this.id;
	}

	IndexHandle index() {
		return this.index;
	}

	/** Stops the work of this instance (cancellation, shutdown, lost lease); records nothing. */
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

	@Override
	public void run() {
		this.thread = Thread.currentThread();
		ScheduledFuture<?> heartbeat = this.context.scheduler().scheduleWithFixedDelay(this::renewLease,
				this.context.lease().toMillis() / 3, this.context.lease().toMillis() / 3, TimeUnit.MILLISECONDS);
		try {
			if (this.index.part().importPgdata().state() == State.IN_PROGRESS) {
				try {
					runImport();
					this.index.update((i) -> i.withState(State.DONE, null, now()));
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
					log.warn("Import {} failed: {}", this.id, reason, (ex instanceof InvalidPgdataException
							|| ex instanceof ImportFailedException) ? null : ex);
					this.index.update((i) -> i.withState(State.FAILED, reason, now()));
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
		catch (RuntimeException ex) {
			// S3 unreachable while recording the outcome: the lease runs out and a rescan retries
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
			this.index.update((i) -> i.withOwner(new IndexPart.Owner(this.context.instanceId(),
					now().plus(this.context.lease()))));
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
		IndexPart.Import state = this.index.part().importPgdata();
		String bucket = state.location().bucket();
		String prefix = state.location().prefix();
		ObjectStore input = this.context.inputStore(bucket);
		Manifest manifest;
		ImportPlan plan;
		if (state.plan() == null) {
			awaitUpload(input, prefix, state.startedAt());
			manifest = freezeManifest(input, prefix);
			Sha256Digest manifestDigest = manifest.digest();
			InputReader reader = reader(bucket, prefix, manifest);
			PgControl control = readControl(reader);
			plan = Planner.plan(manifest, manifestDigest, control, this.id.shard(), this.context.jobSize(),
					this.context.compressionLevel());
			IndexPart.Plan summary = new IndexPart.Plan(plan.id().hex(), manifestDigest.hex(), plan.jobs().size(),
					this.context.jobSize(), this.context.compressionLevel(), plan.bytes(),
					PgControl.lsn(control.checkpointLsn()), control.pgMajor(), control.dataChecksums());
			this.index.update((i) -> i.withPlan(summary, plan.skipped()));
		}
		else {
			IndexPart.Plan recorded = state.plan();
			byte[] json = this.context.storage()
				.getBytes(ImportLayout.manifest(this.id))
				.orElseThrow(() -> new ImportFailedException("the frozen manifest of this import is missing"));
			manifest = Manifest.fromJson(json);
			Sha256Digest manifestDigest = manifest.digest();
			if (!manifestDigest.hex().equals(recorded.manifestSha256())) {
				throw new ImportFailedException("the frozen manifest does not match its recorded digest");
			}
			PgControl control = readControl(reader(bucket, prefix, manifest));
			plan = Planner.plan(manifest, manifestDigest, control, this.id.shard(), recorded.jobSizeBytes(),
					recorded.compressionLevel());
			if (!plan.id().hex().equals(recorded.id())) {
				throw new ImportFailedException("the resumed import plans differently than it did at first (plan "
						+ plan.id().hex() + ", recorded " + recorded.id() + ")");
			}
			log.info("Import {} resumes: {} of {} jobs finished", this.id, state.finishedJobs().size(),
					plan.jobs().size());
		}
		this.context.failpoints().hit(Failpoints.AFTER_PLAN);
		runJobs(plan, reader(bucket, prefix, manifest));
	}

	private void awaitUpload(ObjectStore input, String prefix, Instant startedAt) throws InterruptedException {
		Instant deadline = startedAt.plus(this.context.pgdataWaitTimeout());
		Duration wait = this.context.pgdataPollInitial();
		String key = ImportLayout.pgdataStatus(prefix);
		while (true) {
			checkStopped();
			S3Reads.Result status = this.context.reads().get(input.bucket(), key, null, null, 64 * 1024);
			if (status.fetched() != null) {
				try {
					JsonNode node = JSON.readTree(status.fetched().bytes());
					if (node.path("done").asBoolean(false)) {
						return;
					}
				}
				catch (JacksonException ex) {
					throw new ImportFailedException("'status/pgdata' is not a JSON object like {\"done\": true}");
				}
			}
			if (now().isAfter(deadline)) {
				throw new ImportFailedException("the PGDATA upload did not finish within "
						+ this.context.pgdataWaitTimeout() + ": 'status/pgdata' never said {\"done\": true}");
			}
			Thread.sleep(wait.toMillis());
			wait = wait.multipliedBy(2);
			if (wait.compareTo(this.context.pgdataPollMax()) > 0) {
				wait = this.context.pgdataPollMax();
			}
		}
	}

	private Manifest freezeManifest(ObjectStore input, String prefix) {
		String key = ImportLayout.manifest(this.id);
		Optional<byte[]> existing = this.context.storage().getBytes(key);
		if (existing.isPresent()) {
			// frozen by an earlier attempt that stopped before recording its plan: keep that listing
			return Manifest.fromJson(existing.get());
		}
		String pgdata = ImportLayout.pgdataPrefix(prefix);
		List<ManifestEntry> files = new ArrayList<>();
		int max = this.context.maxFiles();
		input.list(pgdata, (ObjectInfo info) -> {
			if (info.key().endsWith("/") && info.size() == 0) {
				return;
			}
			if (files.size() >= max) {
				throw new InvalidPgdataException("the PGDATA has more than " + max + " files");
			}
			files.add(new ManifestEntry(info.key().substring(pgdata.length()), info.size(), info.etag()));
		});
		if (files.isEmpty()) {
			throw new InvalidPgdataException("there are no files under '" + pgdata + "'");
		}
		Manifest manifest = Manifest.of(files);
		if (this.context.storage().putIfAbsent(key, manifest.toJson(), "application/json").isEmpty()) {
			return Manifest.fromJson(this.context.storage()
				.getBytes(key)
				.orElseThrow(() -> new ImportFailedException("the frozen manifest vanished")));
		}
		return manifest;
	}

	private InputReader reader(String bucket, String prefix, Manifest manifest) {
		return new InputReader(this.context.reads(), bucket, ImportLayout.pgdataPrefix(prefix), manifest.byPath());
	}

	private static PgControl readControl(InputReader reader) {
		ManifestEntry entry;
		try {
			entry = reader.entry("global/pg_control");
		}
		catch (ImportFailedException ex) {
			throw new InvalidPgdataException("'global/pg_control' is missing: this is not a PGDATA directory");
		}
		if (entry.size() != PgControl.FILE_SIZE) {
			throw new InvalidPgdataException("'global/pg_control' is " + entry.size() + " bytes, a control file is "
					+ PgControl.FILE_SIZE + " bytes");
		}
		return PgControl.parse(reader.readWhole("global/pg_control"));
	}

	private void runJobs(ImportPlan plan, InputReader reader) throws Exception {
		Map<Integer, FinishedJob> finished = this.index.part()
			.importPgdata()
			.finishedJobs()
			.stream()
			.collect(Collectors.toMap(FinishedJob::job, (j) -> j));
		Set<Integer> missing = finished.values()
			.stream()
			.filter((j) -> !layerPresent(j))
			.map(FinishedJob::job)
			.collect(Collectors.toSet());
		if (!missing.isEmpty()) {
			log.warn("Import {}: layers of finished jobs {} are missing; running them again", this.id, missing);
		}
		PageVerifier verifier = new PageVerifier(plan.control().checkpointLsn(), plan.control().dataChecksums());
		ExecutorService executor = this.context.newJobExecutor();
		AtomicReference<Exception> failure = new AtomicReference<>();
		List<Future<?>> futures = new ArrayList<>();
		try {
			for (Job job : plan.jobs()) {
				if (finished.containsKey(job.id()) && !missing.contains(job.id())) {
					continue;
				}
				this.context.jobSlots().acquire();
				if (failure.get() != null || this.stopped) {
					this.context.jobSlots().release();
					break;
				}
				futures.add(executor.submit(() -> {
					try {
						FinishedJob done = runJob(job, plan, reader, verifier);
						this.index.update((i) -> i.withJobFinished(done));
						this.context.failpoints().hit(Failpoints.AFTER_JOB);
					}
					catch (Exception ex) {
						failure.compareAndSet(null, ex);
					}
					finally {
						this.context.jobSlots().release();
					}
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get();
			}
		}
		catch (ExecutionException ex) {
			failure.compareAndSet(null, ex);
		}
		finally {
			// nothing of this run may still be writing once it returns, or a resumed run would race it
			executor.shutdownNow();
			executor.awaitTermination(5, TimeUnit.MINUTES);
		}
		if (failure.get() != null) {
			throw failure.get();
		}
		checkStopped();
		int done = this.index.part().importPgdata().finishedJobs().size();
		if (done != plan.jobs().size()) {
			throw new ImportFailedException("only " + done + " of " + plan.jobs().size() + " jobs finished");
		}
	}

	private boolean layerPresent(FinishedJob job) {
		return this.context.storage()
			.head(ImportLayout.layer(this.id, job.layer()))
			.map((info) -> info.size() == job.size())
			.orElse(false);
	}

	private FinishedJob runJob(Job job, ImportPlan plan, InputReader reader, PageVerifier verifier) throws Exception {
		long lsn = plan.control().checkpointLsn();
		String name = ImageLayerFormat.name(job.start(), job.end(), lsn);
		Files.createDirectories(this.context.workDir());
		Path file = this.context.workDir()
			.resolve(this.id.tenantId() + "-" + this.id.shard().slug() + "-" + this.id.timelineId() + "-" + job.id()
					+ ".layer");
		try {
			long size;
			String digest;
			try (ImageLayerWriter writer = new ImageLayerWriter(file, job.start(), job.end(), lsn,
					this.index.part().importPgdata().plan().compressionLevel())) {
				for (Task task : job.tasks()) {
					checkStopped();
					writeTask(writer, task, plan, reader, verifier);
				}
				size = writer.finish();
				digest = writer.sha256();
			}
			this.context.storage().put(ImportLayout.layer(this.id, name), file, "application/octet-stream");
			return new FinishedJob(job.id(), name, digest, size, job.bytes());
		}
		finally {
			Files.deleteIfExists(file);
		}
	}

	private void writeTask(ImageLayerWriter writer, Task task, ImportPlan plan, InputReader reader,
			PageVerifier verifier) throws IOException, InterruptedException {
		if (task instanceof Task.Value value) {
			writer.put(value.key(), value.value());
		}
		else if (task instanceof Task.FileValue file) {
			byte[] bytes = reader.readWhole(file.path());
			RelMapFile.verify(file.path(), bytes, plan.control().pgMajor());
			writer.put(file.key(), bytes);
		}
		else {
			writeBlocks(writer, (Task.Blocks) task, reader, verifier);
		}
	}

	/**
	 * Reads a block run range by range and writes its pages. While one range is verified and
	 * written, the next one is already being read, when the memory budget has room for it.
	 */
	private void writeBlocks(ImageLayerWriter writer, Task.Blocks blocks, InputReader reader, PageVerifier verifier)
			throws IOException, InterruptedException {
		int rangeBlocks = this.context.maxRangeBlocks();
		int ranges = (blocks.count() + rangeBlocks - 1) / rangeBlocks;
		Prefetch pending = null;
		try {
			for (int r = 0; r < ranges; r++) {
				checkStopped();
				int done = r * rangeBlocks;
				int n = Math.min(rangeBlocks, blocks.count() - done);
				int bytes = n * PAGE;
				byte[] pages;
				if (pending != null) {
					Prefetch taken = pending;
					pending = null;
					try {
						pages = taken.await();
					}
					catch (RuntimeException | InterruptedException ex) {
						this.context.memory().release(taken.bytes());
						throw ex;
					}
				}
				else {
					this.context.memory().acquire(bytes);
					try {
						pages = reader.read(blocks.path(), (blocks.fileBlock() + done) * PAGE, bytes);
					}
					catch (RuntimeException ex) {
						this.context.memory().release(bytes);
						throw ex;
					}
				}
				try {
					if (r + 1 < ranges) {
						pending = prefetch(blocks, reader, done + rangeBlocks,
								Math.min(rangeBlocks, blocks.count() - done - rangeBlocks));
					}
					Key key = blocks.firstKey().plusBlocks(done);
					for (int i = 0; i < n; i++) {
						if (blocks.relation()) {
							long forkBlock = blocks.forkBlock() + done + i;
							verifier.verify(pages, i * PAGE, forkBlock,
									"'" + blocks.path() + "' block " + (blocks.fileBlock() + done + i));
						}
						writer.put(key.plusBlocks(i), pages, i * PAGE, PAGE);
					}
					this.context.bytesImported().increment(bytes);
				}
				finally {
					this.context.memory().release(bytes);
				}
			}
		}
		finally {
			if (pending != null) {
				pending.drain();
				this.context.memory().release(pending.bytes());
			}
		}
	}

	/** Starts reading {@code n} blocks from {@code offset} in the background, or returns null when memory is short. */
	private Prefetch prefetch(Task.Blocks blocks, InputReader reader, int offset, int n) {
		int bytes = n * PAGE;
		if (!this.context.memory().tryAcquire(bytes)) {
			return null;
		}
		long position = (blocks.fileBlock() + offset) * PAGE;
		return new Prefetch(bytes, this.context.prefetcher().submit(() -> reader.read(blocks.path(), position, bytes)));
	}

	/**
	 * A range being read ahead, holding its share of the memory budget.
	 *
	 * @param bytes the share
	 * @param read the read
	 */
	private record Prefetch(int bytes, Future<byte[]> read) {

		byte[] await() throws InterruptedException {
			try {
				return this.read.get();
			}
			catch (ExecutionException ex) {
				if (ex.getCause() instanceof RuntimeException runtime) {
					throw runtime;
				}
				throw new ImportFailedException("read ahead failed: " + ex.getCause(), ex.getCause());
			}
		}

		/** Waits for the read to end, whatever its outcome, so its buffer is gone before its share is returned. */
		void drain() {
			try {
				this.read.get();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (ExecutionException | RuntimeException ex) {
				// the outcome no longer matters
			}
		}

	}

	/** Writes the shard status object into the input location, then notifies the control plane. */
	private void announce() throws InterruptedException {
		IndexPart part = this.index.part();
		IndexPart.Import state = part.importPgdata();
		ObjectStore input = this.context.inputStore(state.location().bucket());
		LinkedHashMap<String, Object> status = new LinkedHashMap<>();
		status.put("done", state.state() == State.DONE);
		if (state.error() != null) {
			status.put("error", state.error());
		}
		try {
			input.put(ImportLayout.shardStatus(state.location().prefix(), this.id), JSON.writeValueAsBytes(status),
					"application/json");
		}
		catch (ObjectStoreException ex) {
			if (ex.statusCode() < 400 || ex.statusCode() >= 500) {
				throw ex;
			}
			// the input location refuses writes (deleted bucket, read-only grant): the upcall still tells
			log.warn("Import {}: could not write the shard status object: {}", this.id, ex.getMessage());
		}
		if (this.context.upcaller().configured()) {
			this.context.upcaller().deliver(part, this::stopped);
		}
		this.index.update(IndexPart.Import::withUpcallDelivered);
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
		while ((t instanceof ExecutionException
				|| t instanceof CompletionException) && t.getCause() != null) {
			t = t.getCause();
		}
		if (t instanceof InvalidPgdataException || t instanceof ImportFailedException) {
			return t.getMessage();
		}
		if (t instanceof ObjectStoreException) {
			return "object store: " + t.getMessage();
		}
		if (t instanceof LayerFormatException) {
			return "layer: " + t.getMessage();
		}
		return "internal error: " + t;
	}

}
