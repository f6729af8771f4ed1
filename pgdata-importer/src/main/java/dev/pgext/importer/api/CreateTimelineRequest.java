package dev.pgext.importer.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.pgext.importer.run.ImportLocation;

/**
 * {@code POST /v1/tenants/{tenant}/shards/{shard}/timelines}: create a timeline by
 * importing a PGDATA.
 *
 * @param timelineId the new timeline, 32 lower-case hex digits
 * @param importPgdata what to import
 */
@Schema(description = "A timeline to create by importing the PGDATA uploaded at a location")
record CreateTimelineRequest(@Schema(
		description = "The new timeline, 32 lower-case hex digits") @JsonProperty("timeline_id") @NotNull @Pattern(
				regexp = HEX_ID, message = HEX_ID_MESSAGE) String timelineId,
		@Schema(description = "What to import") @JsonProperty("import_pgdata") @NotNull @Valid ImportPgdata importPgdata) {

	/** A tenant or timeline id. */
	static final String HEX_ID = "[0-9a-f]{32}";

	static final String HEX_ID_MESSAGE = "must be 32 lower-case hex digits";

	/**
	 * An idempotency key: what a control plane sends, and safe to write into a status key
	 * and a log line.
	 */
	static final String KEY = "[\\x21-\\x7E]+";

	static final String KEY_MESSAGE = "must be printable ASCII without spaces";

	static final int KEY_MAX = 256;

	/**
	 * The import part of the request.
	 *
	 * @param idempotencyKey the caller's key; the same key again gets the same timeline
	 * @param location where the PGDATA was uploaded
	 */
	record ImportPgdata(@Schema(
			description = "The caller's key; the same key again answers the same timeline") @JsonProperty("idempotency_key") @NotBlank @Size(
					max = KEY_MAX) @Pattern(regexp = KEY, message = KEY_MESSAGE) String idempotencyKey,
			@Schema(description = "Where the PGDATA was uploaded: <prefix>/pgdata/** and <prefix>/status/pgdata") @JsonProperty("location") @NotNull @Valid ImportLocation location) {

	}

}
