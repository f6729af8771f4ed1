package dev.pgext.registry.bundles;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * {@code /api/v1/bundles}: registering a bundle that CI has uploaded to
 * {@code bundles/sha256/<hex>.tar.zst}, and listing the registered ones. Registering is
 * idempotent for equal content and refused for different content under the same digest.
 */
@Tag(name = "bundles", description = "Postgres bundles, and the reviewed pins that choose one per environment")
@RestController
class BundleController {

	private final BundleRepository bundles;

	private final ObjectStore store;

	private final AuditLog audit;

	BundleController(BundleRepository bundles, ObjectStore store, AuditLog audit) {
		this.bundles = bundles;
		this.store = store;
		this.audit = audit;
	}

	/**
	 * A bundle to register.
	 *
	 * @param sha256 digest of the {@code .tar.zst}
	 * @param size its size in bytes
	 * @param pgVersions full Postgres version per major, such as {@code "17": "17.11"}
	 * @param manifest the bundle's {@code bundle.json}
	 */
	record BundleRequest(@NotNull String sha256, @Positive long size,
			@JsonProperty("pg_versions") @NotEmpty Map<String, String> pgVersions, @NotNull JsonNode manifest) {
	}

	/**
	 * A registered bundle.
	 *
	 * @param sha256 digest of the {@code .tar.zst}
	 * @param size its size in bytes
	 * @param pgVersions full Postgres version per major
	 * @param manifest the bundle's {@code bundle.json}
	 * @param registeredBy who registered it
	 * @param registeredAt when
	 */
	record Bundle(String sha256, long size, @JsonProperty("pg_versions") Map<String, String> pgVersions,
			JsonNode manifest, @JsonProperty("registered_by") String registeredBy,
			@JsonProperty("registered_at") Instant registeredAt) {
	}

	@Operation(summary = "Register a bundle already uploaded to bundles/sha256/<hex>.tar.zst (scope publish)")
	@ResponseStatus(HttpStatus.CREATED)
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.CONFLICT, HttpStatus.UNPROCESSABLE_CONTENT,
			HttpStatus.SERVICE_UNAVAILABLE })
	@PostMapping("/api/v1/bundles")
	@Transactional
	ResponseEntity<Bundle> register(@Parameter(hidden = true) Caller caller,
			@Valid @RequestBody BundleRequest request) {
		caller.requireScope(Caller.PUBLISH, Caller.ADMIN);
		Sha256Digest digest = Sha256Digest.parse(request.sha256());
		Map<String, String> pgVersions = new TreeMap<>();
		request.pgVersions().forEach((major, version) -> {
			PgMajor parsed = PgMajor.parse(major);
			if (version == null || !(version.equals(parsed.toString()) || version.startsWith(parsed + "."))) {
				throw RegistryException.unprocessable("invalid-bundle",
						"pg_versions: '" + version + "' is not a version of PostgreSQL " + parsed);
			}
			pgVersions.put(parsed.toString(), version);
		});
		String key = StoreLayout.bundle(digest);
		ObjectInfo object = this.store.head(key)
			.orElseThrow(() -> RegistryException.unprocessable("bundle-not-in-store",
					"upload the bundle to " + key + " in bucket " + this.store.bucket() + " before registering it"));
		if (object.size() != request.size()) {
			throw RegistryException.unprocessable("bundle-size-mismatch",
					key + " is " + object.size() + " bytes, not " + request.size());
		}
		if (!this.bundles.insertIfAbsent(digest, request.size(), pgVersions, request.manifest(), caller.userId())) {
			if (!this.bundles.sameAs(digest, request.size(), pgVersions, request.manifest())) {
				throw RegistryException.conflict("bundle-conflict",
						"bundle " + digest.hex() + " is already registered with different content");
			}
			return ResponseEntity.ok(find(digest.hex()));
		}
		this.audit.record(caller.name(), "bundle.register", digest.hex(),
				Map.of("size", request.size(), "pg_versions", pgVersions));
		return ResponseEntity.status(HttpStatus.CREATED).body(find(digest.hex()));
	}

	@Operation(operationId = "listBundles", summary = "Registered bundles, newest first")
	@GetMapping("/api/v1/bundles")
	List<Bundle> list(@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
		return this.bundles.newest(limit);
	}

	@Operation(operationId = "getBundle", summary = "One registered bundle")
	@GetMapping("/api/v1/bundles/{sha256}")
	Bundle get(@PathVariable String sha256) {
		return find(Sha256Digest.parse(sha256).hex());
	}

	private Bundle find(String hex) {
		return this.bundles.find(hex).orElseThrow(() -> RegistryException.notFound("no bundle " + hex));
	}

}
