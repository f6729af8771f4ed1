package dev.pgext.importer.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.importer.run.ImportService;
import dev.pgext.importer.run.IndexPart;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * Timeline creation by PGDATA import, its status and its cancellation. Creation answers
 * 201 once the import is durably recorded in S3; the work goes on in the background.
 */
@RestController
// no credentials: the importer is reached only by the control plane, inside the cluster
@SecurityRequirements
@RequestMapping("/v1/tenants/{tenant}/shards/{shard}/timelines")
@Tag(name = "timelines", description = "Timelines created by PGDATA import, per tenant shard")
class TimelineController {

	static final String TENANT = "The tenant id, 32 lower-case hex digits";

	static final String SHARD = "The shard number (0 for an unsharded tenant); the shard count comes from configuration";

	static final String TIMELINE = "The timeline id, 32 lower-case hex digits";

	private final ImportService imports;

	TimelineController(ImportService imports) {
		this.imports = imports;
	}

	@PostMapping
	@Operation(operationId = "createTimeline", summary = "Create a timeline by importing a PGDATA",
			description = "Records the import in the storage bucket (index_part.json, written only if absent) and "
					+ "starts it in the background. The same idempotency key and location again answer the same "
					+ "timeline.")
	@ApiResponse(responseCode = "201",
			description = "The import is recorded (or was already, under this key and location); its status")
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.CONFLICT, HttpStatus.CONTENT_TOO_LARGE })
	ResponseEntity<TimelineStatus> create(@PathVariable @Parameter(description = TENANT) String tenant,
			@PathVariable @Parameter(description = SHARD) String shard,
			@Valid @RequestBody CreateTimelineRequest request) {
		IndexPart part = this.imports.create(Ids.tenant(tenant), Ids.shard(shard), request.timelineId(),
				request.importPgdata().idempotencyKey(), request.importPgdata().location());
		return ResponseEntity.status(HttpStatus.CREATED).body(status(part));
	}

	@GetMapping("/{timeline}")
	@Operation(operationId = "getTimeline", summary = "Read an import's status and progress",
			description = "While the import is in progress, phase says what the instance running it does: "
					+ "waiting_for_upload, listing, planning, importing or finishing.")
	@ApiResponse(responseCode = "200", description = "The import's status")
	TimelineStatus get(@PathVariable @Parameter(description = TENANT) String tenant,
			@PathVariable @Parameter(description = SHARD) String shard,
			@PathVariable @Parameter(description = TIMELINE) String timeline) {
		return status(this.imports.get(Ids.tenant(tenant), Ids.shard(shard), Ids.timeline(timeline)));
	}

	/**
	 * Runs a failed import again from where it stopped, under the same idempotency key.
	 */
	@PostMapping("/{timeline}/retry")
	@Operation(operationId = "retryTimelineImport", summary = "Run a failed import again from where it stopped",
			description = "Keeps the frozen input listing and the finished layers (each verified again); an import "
					+ "in progress is answered as it is.")
	@ApiResponse(responseCode = "200", description = "The import's status, now in_progress")
	@ProblemResponses(HttpStatus.CONFLICT)
	TimelineStatus retry(@PathVariable @Parameter(description = TENANT) String tenant,
			@PathVariable @Parameter(description = SHARD) String shard,
			@PathVariable @Parameter(description = TIMELINE) String timeline) {
		return status(this.imports.retry(Ids.tenant(tenant), Ids.shard(shard), Ids.timeline(timeline)));
	}

	@DeleteMapping("/{timeline}")
	@Operation(operationId = "cancelTimelineImport", summary = "Cancel an import in progress",
			description = "Whichever instance runs the import stops at its next write. Idempotent: an import "
					+ "already cancelled is answered as it is, with 200 and the same status; an import that "
					+ "ended otherwise (done or failed) is a 409.")
	@ApiResponse(responseCode = "200",
			description = "The import's status, now cancelled (or cancelled before, by an earlier request)")
	@ProblemResponses(HttpStatus.CONFLICT)
	TimelineStatus cancel(@PathVariable @Parameter(description = TENANT) String tenant,
			@PathVariable @Parameter(description = SHARD) String shard,
			@PathVariable @Parameter(description = TIMELINE) String timeline) {
		return status(this.imports.cancel(Ids.tenant(tenant), Ids.shard(shard), Ids.timeline(timeline)));
	}

	private TimelineStatus status(IndexPart part) {
		return TimelineStatus.of(part, this.imports.phase(part));
	}

}
