package dev.pgext.importer.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

import dev.pgext.importer.plan.ImportPlan.SkippedFiles;
import dev.pgext.importer.run.ImportLocation;
import dev.pgext.importer.run.ImportPhase;
import dev.pgext.importer.run.IndexPart;

/**
 * A timeline shard's import as the API shows it.
 *
 * @param tenantId tenant
 * @param timelineId timeline
 * @param shard shard slug: number then count, two hex digits each
 * @param state {@code in_progress}, {@code done}, {@code failed} or {@code cancelled}
 * @param phase while the import is in progress, what the instance running it does:
 * {@code waiting_for_upload}, {@code listing}, {@code planning}, {@code importing} or
 * {@code finishing}; null once the import ended, and when the instance answering does not
 * run it (kept in memory by the run, not recorded)
 * @param idempotencyKey the creating request's key
 * @param location the input
 * @param startedAt when the import was created
 * @param finishedAt when it ended
 * @param progress jobs and bytes done
 * @param error why it failed
 * @param skipped input files deliberately not imported, by reason
 * @param upcallDelivered whether the control plane acknowledged the end
 */
record TimelineStatus(@JsonProperty("tenant_id") String tenantId, @JsonProperty("timeline_id") String timelineId,
		@JsonProperty("shard") String shard, @JsonProperty("state") IndexPart.State state,
		@Schema(description = PHASE, nullable = true) @JsonProperty("phase") ImportPhase phase,
		@JsonProperty("idempotency_key") String idempotencyKey, @JsonProperty("location") ImportLocation location,
		@JsonProperty("started_at") Instant startedAt, @JsonProperty("finished_at") Instant finishedAt,
		@JsonProperty("progress") Progress progress, @JsonProperty("error") String error,
		@JsonProperty("skipped") List<Skipped> skipped, @JsonProperty("upcall_delivered") boolean upcallDelivered) {

	static final String PHASE = "While the import is in progress, what the instance running it does: "
			+ "waiting_for_upload (polling <prefix>/status/pgdata until the uploader says done), listing (listing "
			+ "the input once and freezing it as the manifest), planning (reading pg_control, checking the "
			+ "upload's file list, planning the jobs; a resumed import plans again), importing (running the jobs, "
			+ "see progress), finishing (recording the outcome). Null once the import ended, and when the "
			+ "instance answering does not run the import (another one does, or none has taken it over yet). "
			+ "Kept in memory by the run, not recorded: a run that takes an import over starts again from the "
			+ "phase its record allows.";

	/**
	 * @param phase what the run does, as {@code ImportService.phase} says: null once the
	 * import ended
	 */
	static TimelineStatus of(IndexPart part, ImportPhase phase) {
		IndexPart.Import i = part.importPgdata();
		long bytesDone = i.finishedJobs().stream().mapToLong(IndexPart.FinishedJob::bytes).sum();
		Progress progress = new Progress(i.finishedJobs().size(), (i.plan() != null) ? i.plan().jobs() : null,
				bytesDone, (i.plan() != null) ? i.plan().bytesTotal() : null);
		List<Skipped> skipped = i.skipped().stream().map(Skipped::of).toList();
		return new TimelineStatus(part.tenantId(), part.timelineId(), part.id().shard().slug(), i.state(), phase,
				i.idempotencyKey(), i.location(), i.startedAt(), i.finishedAt(), progress, i.error(), skipped,
				i.upcallDelivered());
	}

	/**
	 * Progress of the jobs.
	 *
	 * @param jobsDone finished jobs
	 * @param jobsTotal jobs of the plan, unknown until the plan is made
	 * @param bytesDone page bytes of the finished jobs
	 * @param bytesTotal page bytes of the plan
	 */
	record Progress(@JsonProperty("jobs_done") int jobsDone, @JsonProperty("jobs_total") Integer jobsTotal,
			@JsonProperty("bytes_done") long bytesDone, @JsonProperty("bytes_total") Long bytesTotal) {

	}

	/**
	 * Files not imported for one reason.
	 *
	 * @param reason why
	 * @param files how many
	 * @param example one of them
	 */
	record Skipped(@JsonProperty("reason") String reason, @JsonProperty("files") int files,
			@JsonProperty("example") String example) {

		static Skipped of(SkippedFiles s) {
			return new Skipped(s.reason(), s.files(), s.example());
		}

	}

}
