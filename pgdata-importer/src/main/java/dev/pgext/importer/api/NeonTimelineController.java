package dev.pgext.importer.api;

import java.util.Set;
import java.util.stream.Collectors;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Valid;
import jakarta.validation.Validator;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.importer.ImporterProperties;
import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.importer.run.ImportLocation;
import dev.pgext.importer.run.ImportRejectedException;
import dev.pgext.importer.run.ImportService;
import dev.pgext.importer.run.IndexPart;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * Neon's pageserver timeline-create route, so that a Neon control plane can ask for an
 * import as it asks a pageserver: the body's {@code import_pgdata} is mapped onto the
 * importer's own creation (same idempotency) and the answer is Neon's
 * {@code TimelineInfo}. Errors are the importer's problems, with Neon's {@code msg}
 * member added (see {@link ProblemAdvice}).
 */
@RestController
// no credentials: the importer is reached only by the control plane, inside the cluster
@SecurityRequirements
@Tag(name = "neon", description = "Neon pageserver routes a Neon control plane calls")
class NeonTimelineController {

	static final String PATH = "/v1/tenant/{tenant_shard_id}/timeline";

	private final ImportService imports;

	private final ImporterProperties properties;

	private final Validator validator;

	NeonTimelineController(ImportService imports, ImporterProperties properties, Validator validator) {
		this.imports = imports;
		this.properties = properties;
		this.validator = validator;
	}

	@PostMapping(PATH)
	@Operation(operationId = "neonCreateTimeline", summary = "Create a timeline by import, as Neon's pageserver does",
			description = "Neon's TimelineCreateRequest in its import_pgdata mode. The same idempotency key and "
					+ "location again answer the same timeline with 201, as Neon does; branch and bootstrap modes "
					+ "are refused with 400.")
	@ApiResponse(responseCode = "201",
			description = "The import is recorded (or was already, under this key and "
					+ "location); the timeline as Neon's TimelineInfo")
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.CONFLICT, HttpStatus.CONTENT_TOO_LARGE })
	ResponseEntity<NeonTimelineInfo> create(
			@PathVariable("tenant_shard_id") @Parameter(description = "Neon's tenant shard id: the tenant id, then "
					+ "for a sharded tenant -NNCC (shard number and count, two hex digits each)") String tenantShardId,
			@Valid @RequestBody NeonTimelineCreateRequest request) {
		Ids.TenantShard shard = Ids.tenantShard(tenantShardId);
		if (request.importPgdata() == null || request.ancestorTimelineId() != null
				|| request.existingInitdbTimelineId() != null) {
			throw new Ids.InvalidRequestException("the importer creates timelines only by import: import_pgdata is "
					+ "required, and Neon's branch (ancestor_timeline_id) and bootstrap (existing_initdb_timeline_id) "
					+ "modes are not served here");
		}
		if (request.importPgdata().location().localFs() != null) {
			throw new Ids.InvalidRequestException("import_pgdata.location names both AwsS3 and LocalFs: Neon's "
					+ "location is one of them, and the importer reads only AwsS3");
		}
		checkShardCount(shard);
		NeonTimelineCreateRequest.AwsS3 s3 = request.importPgdata().location().awsS3();
		ImportLocation location = location(s3);
		IndexPart part = this.imports.create(shard.tenant(), shard.number(), request.newTimelineId(),
				request.importPgdata().idempotencyKey(), location);
		return ResponseEntity.status(HttpStatus.CREATED).body(NeonTimelineInfo.of(tenantShardId, part));
	}

	/**
	 * A caller that believes in another shard count than the importer's would import the
	 * wrong keys.
	 */
	private void checkShardCount(Ids.TenantShard shard) {
		ShardIdentity identity = this.properties.shard(shard.tenant(), shard.number()).orElse(null);
		if (identity != null && identity.count() != shard.count()) {
			throw new ImportRejectedException(ImportRejectedException.Kind.UNKNOWN_SHARD,
					"tenant " + shard.tenant() + " has " + identity.count() + " shard(s) here, not " + shard.count());
		}
	}

	/** Neon's location, checked by the rules of the importer's own. */
	private ImportLocation location(NeonTimelineCreateRequest.AwsS3 s3) {
		ImportLocation location = new ImportLocation(s3.bucket(), s3.key());
		Set<ConstraintViolation<ImportLocation>> violations = this.validator.validate(location);
		if (!violations.isEmpty()) {
			throw new Ids.InvalidRequestException(violations.stream()
				.map((v) -> "import_pgdata.location.AwsS3."
						+ ("prefix".equals(v.getPropertyPath().toString()) ? "key" : v.getPropertyPath()) + " "
						+ v.getMessage())
				.sorted()
				.collect(Collectors.joining("; ")));
		}
		return location;
	}

}
