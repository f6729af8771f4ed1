package dev.pgext.loader.compute;

import java.net.URI;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /compute/start} hands the loader its spec; start-up runs in the background, so
 * the answer is {@code 202} pointing at {@code GET /status}.
 */
@RestController
class ComputeController {

	private final Compute compute;

	private final SpecReader specs;

	ComputeController(Compute compute, SpecReader specs) {
		this.compute = compute;
		this.specs = specs;
	}

	/** The loader's own spec or a Neon compute spec ({@link SpecReader}). */
	@PostMapping(path = "/compute/start", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Compute.ComputeStatus> start(@io.swagger.v3.oas.annotations.parameters.RequestBody(
			description = "the loader's compute spec, or a Neon compute spec (bare or as {\"spec\": ...}) with "
					+ "the loader's local fields beside it",
			content = @Content(schema = @Schema(oneOf = { ComputeSpec.class, NeonComputeSpec.class })))
			@RequestBody JsonNode body) {
		this.compute.start(this.specs.read(body));
		return ResponseEntity.accepted().location(URI.create("/status")).body(this.compute.status());
	}

	@GetMapping("/status")
	Compute.ComputeStatus status() {
		return this.compute.status();
	}

}
