package dev.pgext.loader.compute;

import java.net.URI;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.service.openapi.ProblemResponses;

/**
 * {@code POST /compute/start} hands the loader its spec; start-up runs in the background,
 * so the answer is {@code 202} pointing at {@code GET /status}.
 */
@RestController
@Tag(name = "compute", description = "The compute's spec and its start-up")
// the loader listens on loopback: its compute's orchestrator and Postgres call it,
// without credentials
@SecurityRequirements
class ComputeController {

	private final Compute compute;

	private final SpecReader specs;

	ComputeController(Compute compute, SpecReader specs) {
		this.compute = compute;
		this.specs = specs;
	}

	/** The loader's own spec or a Neon compute spec ({@link SpecReader}). */
	@PostMapping(path = "/compute/start", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(operationId = "startCompute", summary = "Hand the loader its compute spec and start the compute",
			description = "Places the spec's extensions and starts Postgres in the background; follow GET /status.")
	@ApiResponse(responseCode = "202", description = "Start-up has begun; the status so far (Location: /status)")
	@ProblemResponses(HttpStatus.CONFLICT)
	ResponseEntity<Compute.ComputeStatus> start(@io.swagger.v3.oas.annotations.parameters.RequestBody(
			description = "the loader's compute spec, or a Neon compute spec (bare or as {\"spec\": ...}) with "
					+ "the loader's local fields beside it",
			content = @Content(schema = @Schema(
					oneOf = { ComputeSpec.class, NeonComputeSpec.class }))) @RequestBody JsonNode body) {
		this.compute.start(this.specs.read(body));
		return ResponseEntity.accepted().location(URI.create("/status")).body(this.compute.status());
	}

	@GetMapping("/status")
	@Operation(operationId = "getStatus", summary = "Read the compute's phase, its extensions and their timings")
	@ApiResponse(responseCode = "200", description = "The compute's status")
	Compute.ComputeStatus status() {
		return this.compute.status();
	}

}
