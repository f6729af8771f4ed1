package dev.pgext.importer.api;

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

/**
 * Timeline creation by PGDATA import, its status and its cancellation. Creation answers 201
 * once the import is durably recorded in S3; the work goes on in the background.
 */
@RestController
@RequestMapping("/v1/tenants/{tenant}/shards/{shard}/timelines")
class TimelineController {

	private final ImportService imports;

	TimelineController(ImportService imports) {
		this.imports = imports;
	}

	@PostMapping
	ResponseEntity<TimelineStatus> create(@PathVariable String tenant, @PathVariable String shard,
			@Valid @RequestBody CreateTimelineRequest request) {
		IndexPart part = this.imports.create(Ids.tenant(tenant), Ids.shard(shard), request.timelineId(),
				request.importPgdata().idempotencyKey(), request.importPgdata().location());
		return ResponseEntity.status(HttpStatus.CREATED).body(TimelineStatus.of(part));
	}

	@GetMapping("/{timeline}")
	TimelineStatus get(@PathVariable String tenant, @PathVariable String shard, @PathVariable String timeline) {
		return TimelineStatus.of(this.imports.get(Ids.tenant(tenant), Ids.shard(shard), Ids.timeline(timeline)));
	}

	/** Runs a failed import again from where it stopped, under the same idempotency key. */
	@PostMapping("/{timeline}/retry")
	TimelineStatus retry(@PathVariable String tenant, @PathVariable String shard, @PathVariable String timeline) {
		return TimelineStatus.of(this.imports.retry(Ids.tenant(tenant), Ids.shard(shard), Ids.timeline(timeline)));
	}

	@DeleteMapping("/{timeline}")
	TimelineStatus cancel(@PathVariable String tenant, @PathVariable String shard, @PathVariable String timeline) {
		return TimelineStatus.of(this.imports.cancel(Ids.tenant(tenant), Ids.shard(shard), Ids.timeline(timeline)));
	}

}
