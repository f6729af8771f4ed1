package dev.pgext.importer.api;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

import dev.pgext.importer.run.IndexPart;

/**
 * The fields of Neon's {@code TimelineInfo} that mean something for an imported timeline,
 * as Neon's pageserver answers a timeline creation.
 *
 * @param tenantId the tenant shard as the request named it
 * @param timelineId the timeline
 * @param ancestorTimelineId always null: an imported timeline is a root timeline
 * @param ancestorLsn always null, likewise
 * @param lastRecordLsn the LSN of the imported PGDATA's checkpoint once the import is
 * done, {@code 0/0} before
 * @param diskConsistentLsn the same: every layer up to it is written
 * @param remoteConsistentLsn the same: every layer up to it is in the storage bucket
 * @param pgVersion the PGDATA's Postgres major once its pg_control has been read, null
 * before
 * @param state Neon's timeline state: {@code Loading} while importing, {@code Active}
 * when done, {@code {"Broken": {"reason", "backtrace"}}} when failed or cancelled
 */
@Schema(description = "Neon's TimelineInfo, the fields that mean something for an imported timeline")
record NeonTimelineInfo(@JsonProperty("tenant_id") String tenantId, @JsonProperty("timeline_id") String timelineId,
		@JsonProperty("ancestor_timeline_id") String ancestorTimelineId,
		@JsonProperty("ancestor_lsn") String ancestorLsn, @JsonProperty("last_record_lsn") String lastRecordLsn,
		@JsonProperty("disk_consistent_lsn") String diskConsistentLsn,
		@JsonProperty("remote_consistent_lsn") String remoteConsistentLsn,
		@JsonProperty("pg_version") Integer pgVersion,
		@Schema(description = "Neon's TimelineState: the string Loading or Active, or the object "
				+ "{\"Broken\": {\"reason\": ..., \"backtrace\": \"\"}}") @JsonProperty("state") Object state) {

	/** Neon's LSN of nothing written yet. */
	static final String NO_LSN = "0/0";

	static NeonTimelineInfo of(String tenantShardId, IndexPart part) {
		IndexPart.Import i = part.importPgdata();
		String lsn = (i.state() == IndexPart.State.DONE && i.plan() != null) ? i.plan().lsn() : NO_LSN;
		Integer pgVersion = (i.plan() != null) ? i.plan().pgVersion() : null;
		return new NeonTimelineInfo(tenantShardId, part.timelineId(), null, null, lsn, lsn, lsn, pgVersion, state(i));
	}

	private static Object state(IndexPart.Import i) {
		return switch (i.state()) {
			case IN_PROGRESS -> "Loading";
			case DONE -> "Active";
			case FAILED -> broken("import failed: " + i.error());
			case CANCELLED -> broken("import cancelled");
		};
	}

	private static Map<String, Map<String, String>> broken(String reason) {
		return Map.of("Broken", Map.of("reason", reason, "backtrace", ""));
	}

}
