package dev.pgext.importer.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.importer.plan.ImportPlan.SkippedFiles;
import dev.pgext.model.json.DocumentJson;

/**
 * {@code index_part.json} of a timeline shard: the durable record of its import, the
 * source of truth every instance works from. Written only with conditional writes.
 *
 * @param format format version of this document
 * @param tenantId tenant
 * @param timelineId timeline
 * @param shard the shard's identity
 * @param importPgdata the import
 */
public record IndexPart(int format, String tenantId, String timelineId, Shard shard, Import importPgdata) {

	static final JsonMapper JSON = DocumentJson.COMPACT.rebuild()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.enable(SerializationFeature.INDENT_OUTPUT)
		.build();

	public byte[] toJson() {
		return JSON.writeValueAsBytes(this);
	}

	public static IndexPart fromJson(byte[] json) {
		return JSON.readValue(json, IndexPart.class);
	}

	public ImportId id() {
		return new ImportId(this.tenantId, this.shard.identity(), this.timelineId);
	}

	public IndexPart with(Import changed) {
		return new IndexPart(this.format, this.tenantId, this.timelineId, this.shard, changed);
	}

	/**
	 * A shard identity as stored.
	 *
	 * @param number shard number
	 * @param count shard count
	 * @param stripeSize blocks per stripe
	 */
	public record Shard(int number, int count, int stripeSize) {

		public static Shard of(ShardIdentity identity) {
			return new Shard(identity.number(), identity.count(), identity.stripeSize());
		}

		public ShardIdentity identity() {
			return new ShardIdentity(this.number, this.count, this.stripeSize);
		}

	}

	/**
	 * The states of an import.
	 */
	public enum State {

		/** Waiting for the upload, planning or running jobs. */
		@JsonProperty("in_progress")
		IN_PROGRESS,

		/** Every layer is written; the timeline can be used. */
		@JsonProperty("done")
		DONE,

		/** Stopped for the reason in {@code error}. */
		@JsonProperty("failed")
		FAILED,

		/** Stopped on request. */
		@JsonProperty("cancelled")
		CANCELLED;

		public boolean terminal() {
			return this != IN_PROGRESS;
		}

	}

	/**
	 * The instance working on an import, and until when.
	 *
	 * @param instance instance id
	 * @param leaseUntil the lease ends unless renewed
	 */
	public record Owner(String instance, Instant leaseUntil) {

	}

	/**
	 * What the plan was made from, to check that a resumed import makes the same plan.
	 *
	 * @param id the plan id
	 * @param manifestSha256 digest of the frozen manifest
	 * @param jobs number of jobs
	 * @param jobSizeBytes job size the plan was made with
	 * @param compressionLevel zstd level the layers are written with
	 * @param bytesTotal page bytes of all jobs
	 * @param lsn LSN of the layers (the shutdown checkpoint), as Postgres prints it
	 * @param pgVersion the Postgres major of the PGDATA
	 * @param dataChecksums whether the cluster has data checksums (and they were
	 * verified)
	 */
	public record Plan(String id, String manifestSha256, int jobs, long jobSizeBytes, int compressionLevel,
			long bytesTotal, String lsn, int pgVersion, boolean dataChecksums) {

	}

	/**
	 * A finished job and its layer.
	 *
	 * @param job job id
	 * @param layer layer file name
	 * @param sha256 digest of the layer file
	 * @param size layer file size
	 * @param bytes page bytes the job imported
	 */
	public record FinishedJob(int job, String layer, String sha256, long size, long bytes) {

	}

	/**
	 * The import.
	 *
	 * @param state where it is
	 * @param idempotencyKey the key of the request that created it
	 * @param location the input
	 * @param startedAt when it was created
	 * @param finishedAt when it reached a final state
	 * @param error why it failed
	 * @param owner the instance working on it
	 * @param plan the plan, once made
	 * @param finishedJobs jobs whose layers are uploaded, by job id
	 * @param skipped files deliberately not imported
	 * @param upcallDelivered whether the control plane acknowledged the final state
	 */
	public record Import(State state, String idempotencyKey, ImportLocation location, Instant startedAt,
			Instant finishedAt, String error, Owner owner, Plan plan, List<FinishedJob> finishedJobs,
			List<SkippedFiles> skipped, boolean upcallDelivered) {

		public Import {
			finishedJobs = (finishedJobs != null) ? List.copyOf(finishedJobs) : List.of();
			skipped = (skipped != null) ? List.copyOf(skipped) : List.of();
		}

		public Import withState(State newState, String reason, Instant at) {
			return new Import(newState, this.idempotencyKey, this.location, this.startedAt, at, reason, this.owner,
					this.plan, this.finishedJobs, this.skipped, this.upcallDelivered);
		}

		public Import withOwner(Owner newOwner) {
			return new Import(this.state, this.idempotencyKey, this.location, this.startedAt, this.finishedAt,
					this.error, newOwner, this.plan, this.finishedJobs, this.skipped, this.upcallDelivered);
		}

		public Import withPlan(Plan newPlan, List<SkippedFiles> newSkipped) {
			return new Import(this.state, this.idempotencyKey, this.location, this.startedAt, this.finishedAt,
					this.error, this.owner, newPlan, List.of(), newSkipped, this.upcallDelivered);
		}

		public Import withFinishedJobs(List<FinishedJob> jobs) {
			List<FinishedJob> sorted = new ArrayList<>(jobs);
			sorted.sort(Comparator.comparingInt(FinishedJob::job));
			return new Import(this.state, this.idempotencyKey, this.location, this.startedAt, this.finishedAt,
					this.error, this.owner, this.plan, sorted, this.skipped, this.upcallDelivered);
		}

		public Import withJobFinished(FinishedJob job) {
			List<FinishedJob> jobs = new ArrayList<>(this.finishedJobs);
			jobs.removeIf((j) -> j.job() == job.job());
			jobs.add(job);
			return withFinishedJobs(jobs);
		}

		public Import withUpcallDelivered() {
			return new Import(this.state, this.idempotencyKey, this.location, this.startedAt, this.finishedAt,
					this.error, this.owner, this.plan, this.finishedJobs, this.skipped, true);
		}

	}

}
