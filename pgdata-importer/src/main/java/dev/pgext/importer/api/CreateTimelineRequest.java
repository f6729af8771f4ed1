package dev.pgext.importer.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.pgext.importer.run.ImportLocation;

/**
 * {@code POST /v1/tenants/{tenant}/shards/{shard}/timelines}: create a timeline by importing a PGDATA.
 *
 * @param timelineId the new timeline, 32 lower-case hex digits
 * @param importPgdata what to import
 */
record CreateTimelineRequest(
		@JsonProperty("timeline_id") @NotNull @Pattern(regexp = "[0-9a-f]{32}",
				message = "must be 32 lower-case hex digits") String timelineId,
		@JsonProperty("import_pgdata") @NotNull @Valid ImportPgdata importPgdata) {

	/**
	 * The import part of the request.
	 *
	 * @param idempotencyKey the caller's key; the same key again gets the same timeline
	 * @param location where the PGDATA was uploaded
	 */
	record ImportPgdata(@JsonProperty("idempotency_key") @NotBlank @Size(max = 256) @Pattern(regexp = "[\\x21-\\x7E]+",
			message = "must be printable ASCII without spaces") String idempotencyKey,
			@JsonProperty("location") @NotNull @Valid ImportLocation location) {

	}

}
