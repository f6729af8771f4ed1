package dev.pgext.registry.manifest;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * {@code GET /api/v1/compute-manifests/{pgMajor}?tenant=&platform=}: everything a
 * tenant's compute may load for one major on its platform (default
 * {@code linux-amd64-gnu}), in the {@code ext_index.json} form (compact), with the digest
 * of the exact bytes as a strong ETag so that a loader polling with {@code If-None-Match}
 * gets a 304 until something changes. The body, its gzip encoding and the validators come
 * from {@link ManifestCache}: built once per change, so a conditional request does no
 * database work and a repeated 200 only copies bytes. The {@code Pgext-Signature} header
 * carries the detached signature of the identity body (docs/signing.md).
 */
@Tag(name = "manifests", description = "What each compute may load: public extensions merged with its tenant's")
@RestController
class ManifestController {

	private static final CacheControl REVALIDATE = CacheControl.maxAge(Duration.ZERO).mustRevalidate();

	private static final List<String> VARY = List.of(HttpHeaders.ACCEPT_ENCODING);

	private final ManifestCache manifests;

	private final MeterRegistry meters;

	ManifestController(ManifestCache manifests, MeterRegistry meters) {
		this.manifests = manifests;
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
	ResponseEntity<byte[]> manifest(@Parameter(hidden = true) Caller caller, @PathVariable String pgMajor,
			@RequestParam(required = false) String tenant,
			@Parameter(
					description = "the compute's platform <os>-<arch>-<libc>; linux-amd64-gnu when absent") @RequestParam(
							required = false) String platform,
			@RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch,
			@RequestHeader(name = "If-Modified-Since", required = false) String ifModifiedSince,
			@RequestHeader(name = "Accept-Encoding", required = false) String acceptEncoding) {
		String outcome = "error";
		try {
			PgMajor major = major(pgMajor);
			Scope scope = Scope.parse(tenant);
			caller.requireRead(scope);
			ManifestCache.Manifest manifest = this.manifests.get(major, scope, platform(platform));
			boolean gzip = acceptsGzip(acceptEncoding);
			HttpHeaders headers = validators(manifest, gzip);
			if (notModified(ifNoneMatch, ifModifiedSince, manifest)) {
				outcome = "not-modified";
				return new ResponseEntity<>(headers, HttpStatus.NOT_MODIFIED);
			}
			outcome = "ok";
			headers.setContentType(MediaType.APPLICATION_JSON);
			if (gzip) {
				headers.set(HttpHeaders.CONTENT_ENCODING, "gzip");
			}
			return new ResponseEntity<>(gzip ? manifest.gzipBody() : manifest.body(), headers, HttpStatus.OK);
		}
		catch (RegistryException ex) {
			outcome = ex.kind();
			throw ex;
		}
		finally {
			requests(this.meters, outcome, (tenant == null || tenant.isBlank()) ? "public" : "tenant").increment();
		}
	}

	/**
	 * The counter of manifest requests with {@code outcome} for {@code scope}
	 * ({@code public} or {@code tenant}).
	 */
	static Counter requests(MeterRegistry meters, String outcome, String scope) {
		return Counter.builder("pgext.registry.manifest.requests")
			.description("Compute manifest requests, by outcome (ok, not-modified or the problem kind) and scope "
					+ "(public or tenant)")
			.tag("outcome", outcome)
			.tag("scope", scope)
			.register(meters);
	}

	/**
	 * The headers a 200 and a 304 of {@code manifest} share: its ETag, Last-Modified and
	 * caching.
	 */
	static HttpHeaders validators(ManifestCache.Manifest manifest, boolean gzip) {
		HttpHeaders headers = new HttpHeaders();
		String[] pairs = manifest.validators(gzip);
		for (int i = 0; i < pairs.length; i += 2) {
			headers.add(pairs[i], pairs[i + 1]);
		}
		return headers;
	}

	/**
	 * The validator headers of one encoding of a manifest as name and value pairs,
	 * rendered once per manifest ({@link ManifestCache.Manifest}): the ETag, caching,
	 * Last-Modified and the signature.
	 */
	static String[] validatorHeaders(String etag, Instant lastModified, String signature) {
		HttpHeaders headers = new HttpHeaders();
		headers.setETag(etag);
		headers.setCacheControl(REVALIDATE);
		headers.setVary(VARY);
		if (lastModified != null) {
			headers.setLastModified(lastModified);
		}
		if (signature != null) {
			headers.set(MetadataSignature.HEADER, signature);
		}
		List<String> pairs = new ArrayList<>();
		headers.forEach((name, values) -> values.forEach((value) -> {
			pairs.add(name);
			pairs.add(value);
		}));
		return pairs.toArray(String[]::new);
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

	/**
	 * {@code If-None-Match} wins over {@code If-Modified-Since} (RFC 9110 13.2.2). Either
	 * ETag of the manifest matches (identity or gzip): both name the same content.
	 */
	static boolean notModified(String ifNoneMatch, String ifModifiedSince, ManifestCache.Manifest manifest) {
		if (ifNoneMatch != null) {
			for (String candidate : ifNoneMatch.split(",")) {
				String tag = candidate.strip();
				if (tag.startsWith("W/")) {
					tag = tag.substring(2);
				}
				if (tag.equals("*") || tag.equals(manifest.etag()) || tag.equals(manifest.gzipEtag())) {
					return true;
				}
			}
			return false;
		}
		if (ifModifiedSince != null && manifest.lastModified() != null) {
			try {
				Instant since = ZonedDateTime.parse(ifModifiedSince, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
				return !manifest.lastModified().isAfter(since);
			}
			catch (DateTimeParseException ex) {
				return false;
			}
		}
		return false;
	}

	/** Whether {@code Accept-Encoding} lists gzip (or {@code *}) without {@code q=0}. */
	static boolean acceptsGzip(String acceptEncoding) {
		if (acceptEncoding == null) {
			return false;
		}
		for (String coding : acceptEncoding.split(",")) {
			String[] parts = coding.split(";");
			String name = parts[0].strip();
			if (name.equalsIgnoreCase("gzip") || name.equals("*")) {
				for (int i = 1; i < parts.length; i++) {
					String parameter = parts[i].strip().replace(" ", "");
					if (parameter.equals("q=0") || parameter.matches("q=0\\.0{0,3}")) {
						return false;
					}
				}
				return true;
			}
		}
		return false;
	}

}
