package dev.pgext.registry.audit;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.registry.caller.Caller;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * {@code GET /api/v1/audit}: the audit trail, newest first, for administrators.
 */
@Tag(name = "audit", description = "The audit trail of every change (administrators)")
@RestController
class AuditController {

	private final AuditLog audit;

	AuditController(AuditLog audit) {
		this.audit = audit;
	}

	/**
	 * One audit event.
	 *
	 * @param id its sequence number
	 * @param at when
	 * @param actor who (a user name, or {@code system})
	 * @param action what, such as {@code release.publish}
	 * @param target what it was done to
	 * @param detail the particulars
	 */
	record AuditEvent(long id, Instant at, String actor, String action, String target, JsonNode detail) {
	}

	@Operation(summary = "The audit trail, newest first (scope admin)")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@GetMapping("/api/v1/audit")
	List<AuditEvent> events(Caller caller, @RequestParam(required = false) String target,
			@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
		caller.requireScope(Caller.ADMIN);
		return this.audit.recent(target, limit);
	}

}
