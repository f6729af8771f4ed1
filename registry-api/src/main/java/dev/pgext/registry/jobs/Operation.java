package dev.pgext.registry.jobs;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * A long-running call's progress, as {@code GET /api/v1/operations/{id}} shows it.
 *
 * @param id the operation id
 * @param kind what it does, such as {@code mirror.rebuild}
 * @param state {@code pending}, {@code running}, {@code succeeded}, {@code failed} or
 * {@code superseded} (a newer operation does the same work)
 * @param progress percent done
 * @param attempts attempts so far
 * @param result what the work produced, once succeeded
 * @param error why it failed for good
 * @param lastError why the previous attempt failed, while it is being retried
 * @param createdBy who asked for it
 * @param createdAt when
 * @param finishedAt when it ended
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Operation(long id, String kind, String state, int progress, int attempts, JsonNode result, String error,
		@JsonProperty("last_error") String lastError, @JsonProperty("created_by") String createdBy,
		@JsonProperty("created_at") Instant createdAt, @JsonProperty("finished_at") Instant finishedAt) {

	static String state(String jobState) {
		return "dead".equals(jobState) ? "failed" : jobState;
	}

	/** Whether the operation has ended, one way or another. */
	public boolean done() {
		return !this.state.equals("pending") && !this.state.equals("running");
	}

}
