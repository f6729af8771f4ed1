package dev.pgext.registry.manifest;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.problem.ProblemResponses;
import dev.pgext.registry.problem.RegistryException;

/**
 * {@code GET /api/v1/compute-manifests/{pgMajor}?tenant=&platform=}: everything a tenant's
 * compute may load for one major on its platform (default {@code linux-amd64-gnu}), in the
 * {@code ext_index.json} form, with the digest of the
 * exact bytes as a strong ETag so that a loader polling with {@code If-None-Match} gets a
 * 304 until something changes.
 */
@Tag(name = "manifests", description = "What each compute may load: public extensions merged with its tenant's")
@RestController
class ManifestController {

	private final ExtensionIndexes indexes;

	private final MeterRegistry meters;

	ManifestController(ExtensionIndexes indexes, MeterRegistry meters) {
		this.indexes = indexes;
		this.meters = meters;
	}

	@Operation(summary = "Compute manifest: public extensions merged with a tenant's private ones")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@ApiResponse(responseCode = "200",
			description = "The manifest in the ext_index.json format (docs/registry.md), with its ETag",
			content = @Content(mediaType = "application/json",
					schema = @Schema(type = "object", description = "ext_index.json: extensions and libraries")))
	@ApiResponse(responseCode = "304", description = "Unchanged since the ETag sent in If-None-Match")
	@GetMapping("/api/v1/compute-manifests/{pgMajor}")
	@Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
	ResponseEntity<byte[]> manifest(@Parameter(hidden = true) Caller caller, @PathVariable String pgMajor,
			@RequestParam(required = false) String tenant,
			@Parameter(description = "the compute's platform <os>-<arch>-<libc>; linux-amd64-gnu when absent")
			@RequestParam(required = false) String platform,
			@RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch) {
		String outcome = "error";
		try {
			PgMajor major = major(pgMajor);
			Scope scope = Scope.parse(tenant);
			caller.requireRead(scope);
			byte[] body = ExtIndexJson.write(this.indexes.manifest(major, scope, platform(platform)));
			String etag = "\"" + Sha256Digest.of(body).prefixed() + "\"";
			if (matches(ifNoneMatch, etag)) {
				outcome = "not-modified";
				return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
			}
			outcome = "ok";
			return ResponseEntity.ok()
				.eTag(etag)
				.cacheControl(CacheControl.maxAge(Duration.ZERO).mustRevalidate())
				.contentType(MediaType.APPLICATION_JSON)
				.body(body);
		}
		catch (RegistryException ex) {
			outcome = ex.kind();
			throw ex;
		}
		finally {
			Counter.builder("pgext.registry.manifest.requests")
				.description("Compute manifest requests, by outcome (ok, not-modified or the problem kind) and scope "
						+ "(public or tenant)")
				.tag("outcome", outcome)
				.tag("scope", (tenant == null || tenant.isBlank()) ? "public" : "tenant")
				.register(this.meters)
				.increment();
		}
	}

	private static PgMajor major(String text) {
		try {
			return PgMajor.parse(text);
		}
		catch (IllegalArgumentException ex) {
			throw new RegistryException(HttpStatus.NOT_FOUND, "unknown-pg-major", ex.getMessage());
		}
	}

	private static Platform platform(String text) {
		if (text == null) {
			return Platform.DEFAULT;
		}
		try {
			return Platform.parse(text);
		}
		catch (IllegalArgumentException ex) {
			throw RegistryException.badRequest("unknown-platform", ex.getMessage());
		}
	}

	private static boolean matches(String ifNoneMatch, String etag) {
		if (ifNoneMatch == null) {
			return false;
		}
		for (String candidate : ifNoneMatch.split(",")) {
			String tag = candidate.strip();
			if (tag.equals("*") || tag.equals(etag)) {
				return true;
			}
		}
		return false;
	}

}
