package dev.pgext.importer.run;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

import dev.pgext.importer.ImporterProperties;
import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.importer.run.ImportRejectedException.Kind;
import dev.pgext.importer.run.IndexPart.State;
import dev.pgext.importer.run.IndexPartStore.Versioned;
import dev.pgext.model.store.S3ObjectStore;

/**
 * Creates, resumes, reports and cancels imports. S3 is the source of truth: an import
 * exists once its {@code index_part.json} is written, and whichever instance holds its
 * lease works on it. At start and then periodically the service looks for imports whose
 * lease ran out (or that it owned before a restart) and takes them over with a
 * conditional write.
 */
@Service
public class ImportService {

	private static final Logger log = LoggerFactory.getLogger(ImportService.class);

	private final ImporterProperties properties;

	private final IndexPartStore indexParts;

	private final ImportContext context;

	private final Clock clock;

	private final Map<ImportId, ImportRun> running = new ConcurrentHashMap<>();

	private final ExecutorService runs;

	private final ScheduledExecutorService scheduler;

	private final AtomicBoolean scanning = new AtomicBoolean();

	public ImportService(ImporterProperties properties, S3ObjectStore storage, Failpoints failpoints,
			MeterRegistry meters, RestClient.Builder http) {
		this.properties = properties;
		this.clock = Clock.systemUTC();
		AtomicInteger threads = new AtomicInteger();
		this.runs = Executors.newCachedThreadPool((r) -> {
			Thread t = new Thread(r, "import-" + threads.incrementAndGet());
			t.setDaemon(true);
			return t;
		});
		this.scheduler = Executors.newScheduledThreadPool(1, (r) -> {
			Thread t = new Thread(r, "import-scheduler");
			t.setDaemon(true);
			return t;
		});
		this.indexParts = new IndexPartStore(storage,
				new S3Reads(storage.client(), S3ObjectStore.retry("importer-s3", properties.s3())));
		S3Reads reads = new S3Reads(storage.client(), properties.s3().initialBackoff(), properties.storeRetryDeadline(),
				this.clock);
		Counter bytes = Counter.builder("pgext.importer.imported")
			.description("Page bytes read from PGDATA inputs and written to layers")
			.baseUnit("bytes")
			.register(meters);
		Gauge.builder("pgext.importer.imports.running", this.running, Map::size)
			.description("Imports this instance is working on")
			.register(meters);
		this.context = new ImportContext(properties, storage, reads, failpoints,
				new Upcaller(properties.upcall(), http), this.scheduler, bytes,
				(run) -> this.running.remove(run.id(), run));
	}

	/** Resumes what needs resuming once the application is up, then keeps looking. */
	@EventListener(ApplicationReadyEvent.class)
	public void startScanning() {
		long interval = this.properties.rescanInterval().toMillis();
		// scans run off the scheduler thread, so a long listing never delays lease
		// renewals
		this.scheduler.scheduleWithFixedDelay(() -> this.runs.execute(this::scanQuietly), 0, interval,
				TimeUnit.MILLISECONDS);
	}

	private void scanQuietly() {
		if (!this.scanning.compareAndSet(false, true)) {
			return;
		}
		try {
			resumeAll();
		}
		catch (RuntimeException ex) {
			log.warn("Scan for imports to resume failed: {}", ex.toString());
		}
		finally {
			this.scanning.set(false);
		}
	}

	/**
	 * Takes over every import that is in progress (or waits for its upcall) and is either
	 * this instance's from before a restart or has an expired lease.
	 * @return how many imports were taken over
	 */
	public int resumeAll() {
		int taken = 0;
		for (String key : this.indexParts.listKeys()) {
			try {
				Optional<Versioned> found = this.indexParts.readKey(key);
				if (found.isPresent() && claimAndStart(found.get())) {
					taken++;
				}
			}
			catch (RuntimeException ex) {
				log.warn("Could not resume the import of {}: {}", key, ex.toString());
			}
		}
		return taken;
	}

	private boolean claimAndStart(Versioned found) {
		IndexPart part = found.part();
		IndexPart.Import state = part.importPgdata();
		if (state == null || this.running.containsKey(part.id())) {
			return false;
		}
		boolean pending = state.state() == State.IN_PROGRESS
				|| ((state.state() == State.DONE || state.state() == State.FAILED) && !state.upcallDelivered());
		if (!pending) {
			return false;
		}
		Instant now = this.clock.instant();
		boolean ours = state.owner() != null && this.properties.instanceId().equals(state.owner().instance());
		boolean expired = state.owner() == null || state.owner().leaseUntil() == null
				|| state.owner().leaseUntil().isBefore(now);
		if (!ours && !expired) {
			return false;
		}
		IndexPart claimed = part.with(state.withOwner(lease(now)));
		Optional<Versioned> written = this.indexParts.replace(found, claimed);
		if (written.isEmpty()) {
			// another instance claimed it first
			return false;
		}
		log.info("Taking over import {} (state {}, {} jobs finished)", part.id(), state.state(),
				state.finishedJobs().size());
		start(written.get());
		return true;
	}

	/**
	 * Records a new import, or answers for an existing one with the same key.
	 * @return the import's {@code index_part.json}, durably written
	 */
	public IndexPart create(String tenantId, int shardNumber, String timelineId, String idempotencyKey,
			ImportLocation location) {
		ShardIdentity shard = shard(tenantId, shardNumber);
		if (!this.properties.allowedBuckets().isEmpty()
				&& !this.properties.allowedBuckets().contains(location.bucket())) {
			throw new ImportRejectedException(Kind.BUCKET_NOT_ALLOWED,
					"bucket '" + location.bucket() + "' is not one this importer reads from");
		}
		String output = this.properties.s3().bucket();
		if (location.bucket().equals(output) && ImportLayout.overlapsOutput(location.prefix())) {
			throw new ImportRejectedException(Kind.LOCATION_OVERLAPS_OUTPUT, "the input location (bucket '"
					+ location.bucket() + "', prefix '" + ImportLayout.inputPrefix(location.prefix())
					+ "') overlaps where the importer writes its records and layers (bucket '" + output + "', prefix '"
					+ ImportLayout.TENANTS + "'): upload the PGDATA to another prefix or bucket");
		}
		ImportId id = new ImportId(tenantId, shard, timelineId);
		ImportLocation normalized = new ImportLocation(location.bucket(), ImportLayout.inputPrefix(location.prefix()));
		for (int attempt = 0; attempt < 5; attempt++) {
			Optional<Versioned> existing = this.indexParts.read(id);
			if (existing.isPresent()) {
				IndexPart.Import state = existing.get().part().importPgdata();
				if (!Objects.equals(state.idempotencyKey(), idempotencyKey)) {
					throw new ImportRejectedException(Kind.IDEMPOTENCY_CONFLICT, "timeline " + timelineId
							+ " already exists on shard " + shard.slug() + " with another idempotency key");
				}
				if (!Objects.equals(state.location(), normalized)) {
					throw new ImportRejectedException(Kind.IDEMPOTENCY_CONFLICT,
							"idempotency key reused for timeline " + timelineId + " with a different location");
				}
				return existing.get().part();
			}
			Instant now = this.clock.instant();
			IndexPart.Import state = new IndexPart.Import(State.IN_PROGRESS, idempotencyKey, normalized, now, null,
					null, lease(now), null, List.of(), List.of(), false);
			IndexPart part = new IndexPart(1, tenantId, timelineId, IndexPart.Shard.of(shard), state);
			Optional<Versioned> created = this.indexParts.create(part);
			if (created.isPresent()) {
				log.info("Import {} created from s3://{}/{}", id, location.bucket(), normalized.prefix());
				start(created.get());
				return part;
			}
		}
		throw new IllegalStateException("index_part.json of " + id + " keeps changing");
	}

	/** The import's record. */
	public IndexPart get(String tenantId, int shardNumber, String timelineId) {
		ImportId id = new ImportId(tenantId, shard(tenantId, shardNumber), timelineId);
		ImportRun run = this.running.get(id);
		// a stopped run (cancelled, fenced out, shutting down) may not have left yet: its
		// record is what was written last, not what it last wrote
		if (run != null && !run.stopped()) {
			return run.index().part();
		}
		return this.indexParts.read(id)
			.map(Versioned::part)
			.orElseThrow(() -> new ImportRejectedException(Kind.NOT_FOUND,
					"no import of timeline " + timelineId + " on shard " + id.shard().slug()));
	}

	/**
	 * What this instance does for {@code part}'s import at the moment: null when the
	 * import is not in progress, or when this instance does not run it (another one does,
	 * or none has taken it over yet).
	 */
	public ImportPhase phase(IndexPart part) {
		if (part.importPgdata().state() != State.IN_PROGRESS) {
			return null;
		}
		ImportRun run = this.running.get(part.id());
		return (run != null && !run.stopped()) ? run.phase() : null;
	}

	/**
	 * Cancels an import in progress; whichever instance runs it stops at its next write.
	 */
	public IndexPart cancel(String tenantId, int shardNumber, String timelineId) {
		ImportId id = new ImportId(tenantId, shard(tenantId, shardNumber), timelineId);
		ImportRun run = this.running.get(id);
		if (run != null) {
			run.stop();
		}
		for (int attempt = 0; attempt < 10; attempt++) {
			Versioned current = this.indexParts.read(id)
				.orElseThrow(() -> new ImportRejectedException(Kind.NOT_FOUND,
						"no import of timeline " + timelineId + " on shard " + id.shard().slug()));
			IndexPart.Import state = current.part().importPgdata();
			if (state.state() == State.CANCELLED) {
				return current.part();
			}
			if (state.state() != State.IN_PROGRESS) {
				throw new ImportRejectedException(Kind.ALREADY_FINISHED, "the import of timeline " + timelineId
						+ " already ended: " + state.state().name().toLowerCase());
			}
			IndexPart cancelled = current.part()
				.with(state.withState(State.CANCELLED, "cancelled on request", this.clock.instant()));
			if (this.indexParts.replace(current, cancelled).isPresent()) {
				log.info("Import {} cancelled", id);
				return cancelled;
			}
		}
		throw new IllegalStateException("index_part.json of " + id + " keeps changing");
	}

	/**
	 * Runs a failed import again under the same idempotency key: it continues from its
	 * recorded plan, keeping the layers already written (each is verified again), so a
	 * failure of the store or of the network costs only the unfinished jobs. An import in
	 * progress is returned as it is; a finished or cancelled one cannot be retried.
	 */
	public IndexPart retry(String tenantId, int shardNumber, String timelineId) {
		ImportId id = new ImportId(tenantId, shard(tenantId, shardNumber), timelineId);
		for (int attempt = 0; attempt < 10; attempt++) {
			Versioned current = this.indexParts.read(id)
				.orElseThrow(() -> new ImportRejectedException(Kind.NOT_FOUND,
						"no import of timeline " + timelineId + " on shard " + id.shard().slug()));
			IndexPart.Import state = current.part().importPgdata();
			if (state.state() == State.IN_PROGRESS) {
				return current.part();
			}
			if (state.state() != State.FAILED) {
				throw new ImportRejectedException(Kind.NOT_FAILED, "the import of timeline " + timelineId + " is "
						+ state.state().name().toLowerCase() + "; only a failed import can be retried");
			}
			if (this.running.containsKey(id)) {
				throw new ImportRejectedException(Kind.NOT_FAILED, "the import of timeline " + timelineId
						+ " is still announcing its failure; retry once the upcall is delivered");
			}
			Instant now = this.clock.instant();
			IndexPart.Import again = new IndexPart.Import(State.IN_PROGRESS, state.idempotencyKey(), state.location(),
					state.startedAt(), null, null, lease(now), state.plan(), state.finishedJobs(), state.skipped(),
					false);
			Optional<Versioned> written = this.indexParts.replace(current, current.part().with(again));
			if (written.isPresent()) {
				log.info("Import {} retried ({} of its jobs were finished)", id, state.finishedJobs().size());
				start(written.get());
				return written.get().part();
			}
		}
		throw new IllegalStateException("index_part.json of " + id + " keeps changing");
	}

	/**
	 * Stops every run of this instance without recording anything; leases run out and
	 * others resume.
	 */
	public void stopAll() {
		this.running.values().forEach(ImportRun::stop);
	}

	/** Whether this instance is working on the import. */
	public boolean isRunning(String tenantId, int shardNumber, String timelineId) {
		return this.running.containsKey(new ImportId(tenantId, shard(tenantId, shardNumber), timelineId));
	}

	@PreDestroy
	void shutdown() {
		this.scheduler.shutdownNow();
		stopAll();
		this.runs.shutdownNow();
		this.context.close();
	}

	private void start(Versioned versioned) {
		IndexHandle handle = new IndexHandle(this.indexParts, this.properties.instanceId(), this.clock, versioned);
		ImportRun run = new ImportRun(this.context, handle);
		if (this.running.putIfAbsent(run.id(), run) == null) {
			this.runs.execute(run);
		}
	}

	private IndexPart.Owner lease(Instant now) {
		return new IndexPart.Owner(this.properties.instanceId(), now.plus(this.properties.lease()));
	}

	private ShardIdentity shard(String tenantId, int shardNumber) {
		return this.properties.shard(tenantId, shardNumber)
			.orElseThrow(() -> new ImportRejectedException(Kind.UNKNOWN_SHARD,
					"tenant " + tenantId + " has no shard " + shardNumber));
	}

}
