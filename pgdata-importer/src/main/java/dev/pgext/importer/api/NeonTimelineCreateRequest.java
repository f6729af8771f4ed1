package dev.pgext.importer.api;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of Neon's pageserver {@code POST /v1/tenant/{tenant_shard_id}/timeline} as a
 * control plane sends it to create a timeline by import. Neon's other creation modes (a
 * branch, with {@code ancestor_timeline_id}; a bootstrap, with
 * {@code existing_initdb_timeline_id} or nothing) are read only to refuse them clearly;
 * other fields of Neon's body are ignored.
 *
 * @param newTimelineId the timeline to create
 * @param pgVersion the Postgres major the control plane expects; not used: the major is
 * the PGDATA's
 * @param importPgdata what to import
 * @param ancestorTimelineId set for Neon's branch mode, which the importer does not do
 * @param existingInitdbTimelineId set for Neon's bootstrap mode, which the importer does
 * not do
 */
@Schema(description = "Neon's TimelineCreateRequest in its import_pgdata mode")
record NeonTimelineCreateRequest(@Schema(
		description = "The timeline to create, 32 lower-case hex digits") @JsonProperty("new_timeline_id") @NotNull @Pattern(
				regexp = CreateTimelineRequest.HEX_ID,
				message = CreateTimelineRequest.HEX_ID_MESSAGE) String newTimelineId,
		@Schema(description = "Accepted and not used: the Postgres major is read from the PGDATA's pg_control, as "
				+ "Neon's import does") @JsonProperty("pg_version") Integer pgVersion,
		@Schema(description = "What to import; required here, as the importer creates timelines only by import") @JsonProperty("import_pgdata") @Valid ImportPgdata importPgdata,
		@Schema(description = "Neon's branch mode: refused") @JsonProperty("ancestor_timeline_id") String ancestorTimelineId,
		@Schema(description = "Neon's bootstrap mode: refused") @JsonProperty("existing_initdb_timeline_id") String existingInitdbTimelineId) {

	/**
	 * Neon's {@code TimelineCreateRequestModeImportPgdata}.
	 *
	 * @param idempotencyKey the caller's key; the same key again answers the same
	 * timeline
	 * @param location where the PGDATA was uploaded
	 */
	// named apart from the importer's own ImportPgdata, which the API document would
	// otherwise show in its place
	@Schema(name = "NeonImportPgdata", description = "Neon's TimelineCreateRequestModeImportPgdata")
	record ImportPgdata(@Schema(
			description = "The caller's key; the same key again answers the same timeline") @JsonProperty("idempotency_key") @NotBlank @Size(
					max = CreateTimelineRequest.KEY_MAX) @Pattern(regexp = CreateTimelineRequest.KEY,
							message = CreateTimelineRequest.KEY_MESSAGE) String idempotencyKey,
			@Schema(description = "Neon's ImportPgdataLocation; only AwsS3 is read") @JsonProperty("location") @NotNull @Valid Location location) {

	}

	/**
	 * Neon's {@code ImportPgdataLocation}, an externally tagged enum of which the
	 * importer reads {@code AwsS3} (Neon's {@code LocalFs} exists only in its test
	 * builds). As an enum value it names exactly one variant: {@code LocalFs} is read
	 * only to refuse it, alone or beside {@code AwsS3}.
	 *
	 * @param awsS3 the S3 location
	 * @param localFs Neon's local-file location: refused
	 */
	@Schema(name = "NeonImportPgdataLocation",
			description = "Neon's ImportPgdataLocation, an externally tagged enum: one member named after its variant")
	record Location(
			@Schema(description = "An S3 location") @JsonProperty("AwsS3") @NotNull(
					message = "must be given: the importer reads PGDATA only from S3") @Valid AwsS3 awsS3,
			@Schema(description = "Neon's local-file location, of its test builds only: refused, alone or beside "
					+ "AwsS3") @JsonProperty("LocalFs") Map<String, Object> localFs) {

	}

	/**
	 * Neon's {@code AwsS3} location.
	 *
	 * @param region the bucket's region; not used, the importer reads through its
	 * configured S3 endpoint
	 * @param bucket the input bucket
	 * @param key the prefix holding {@code pgdata/} and {@code status/} (Neon calls the
	 * prefix key)
	 */
	@Schema(name = "NeonAwsS3", description = "Neon's AwsS3 location")
	record AwsS3(@Schema(
			description = "Accepted and not used: the importer reads through its configured S3 endpoint") @JsonProperty("region") String region,
			@Schema(description = "The input bucket") @JsonProperty("bucket") @NotBlank String bucket,
			@Schema(description = "The prefix holding pgdata/ and status/ (Neon names it key)") @JsonProperty("key") @NotBlank String key) {

	}

}
