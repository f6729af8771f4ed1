package dev.pgext.loader.compute;

import java.net.URI;

import jakarta.validation.Valid;

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

	ComputeController(Compute compute) {
		this.compute = compute;
	}

	@PostMapping("/compute/start")
	ResponseEntity<Compute.ComputeStatus> start(@Valid @RequestBody ComputeSpec spec) {
		this.compute.start(spec);
		return ResponseEntity.accepted().location(URI.create("/status")).body(this.compute.status());
	}

	@GetMapping("/status")
	Compute.ComputeStatus status() {
		return this.compute.status();
	}

}
