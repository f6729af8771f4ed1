package dev.pgext.registry.jobs;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * {@code GET /api/v1/operations/{id}}: where a long call that answered 202 stands.
 * Callers see their own operations, administrators every one.
 */
@Tag(name = "operations", description = "Long-running operations a 202 answer points at")
@RestController
class OperationController {

	private final JobQueue queue;

	OperationController(JobQueue queue) {
		this.queue = queue;
	}

	@Operation(operationId = "getOperation",
			summary = "State, progress and result or error of a long-running operation")
	@GetMapping("/api/v1/operations/{id}")
	dev.pgext.registry.jobs.Operation get(@Parameter(hidden = true) Caller caller, @PathVariable long id) {
		caller.requireAuthenticated();
		return this.queue.find(id)
			.filter((operation) -> caller.isAdmin() || caller.name().equals(operation.createdBy()))
			.orElseThrow(() -> RegistryException.notFound("no operation " + id));
	}

}
