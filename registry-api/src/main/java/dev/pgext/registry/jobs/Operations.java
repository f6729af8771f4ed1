package dev.pgext.registry.jobs;

import java.net.URI;

import org.springframework.http.ResponseEntity;

/**
 * The 202 answer of a call whose work runs as a job.
 */
public final class Operations {

	private Operations() {
	}

	/**
	 * {@code 202 Accepted} with {@code Location: /api/v1/operations/{id}} and the
	 * operation.
	 */
	public static ResponseEntity<Operation> accepted(JobQueue queue, long id) {
		return ResponseEntity.accepted()
			.location(URI.create("/api/v1/operations/" + id))
			.body(queue.find(id).orElseThrow());
	}

}
