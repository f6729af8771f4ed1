package dev.pgext.registry.bundles;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
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
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.registry.sbom.SbomDocuments;
import dev.pgext.registry.signing.MetadataSigning;
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

	private final MetadataSigning signing;

	BundleController(BundleRepository bundles, ObjectStore store, AuditLog audit, MetadataSigning signing) {
		this.bundles = bundles;
		this.store = store;
		this.audit = audit;
		this.signing = signing;
	}

	/**
	 * A bundle to register.
	 *
	 * @param sha256 digest of the {@code .tar.zst}
	 * @param size its size in bytes
	 * @param pgVersions full Postgres version per major, such as {@code "17": "17.11"}
	 * @param manifest the bundle's {@code bundle.json}
	 * @param sbom the bundle's CycloneDX SBOM, the exact text of the file the manifest's
	 * {@code sbom} names; absent for bundles built without one
	 */
	record BundleRequest(@NotNull String sha256, @Positive long size,
			@JsonProperty("pg_versions") @NotEmpty Map<String, String> pgVersions, @NotNull JsonNode manifest,
			String sbom) {
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
		caller.requireScope(Caller.PUBLISH, Caller.ADMIN).requireNoTenant("register bundles");
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
		String sbom = checkedSbom(request);
		if (!this.bundles.insertIfAbsent(digest, request.size(), pgVersions, request.manifest(), sbom,
				caller.userId())) {
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

	@Operation(operationId = "getBundleSbom",
			summary = "The bundle's CycloneDX SBOM (the sbom.cdx.json inside it), its signature in the "
					+ "Pgext-Signature header (base64) and at .../sbom/signature")
	@ApiResponse(responseCode = "200", description = "The CycloneDX 1.6 JSON document",
			content = @Content(mediaType = SbomDocuments.MEDIA_TYPE, schema = @Schema(type = "object")))
	@ProblemResponses(HttpStatus.NOT_FOUND)
	@GetMapping("/api/v1/bundles/{sha256}/sbom")
	ResponseEntity<byte[]> sbom(@PathVariable String sha256) {
		BundleRepository.Sbom sbom = findSbom(sha256);
		return SbomDocuments.response(sbom.content(), sign(sbom));
	}

	@Operation(operationId = "getBundleSbomSignature",
			summary = "The detached signature of the bundle's SBOM, what bundle-builder fetch --sbom-signature reads")
	@ApiResponse(responseCode = "200", description = "The signature document (docs/signing.md)",
			content = @Content(mediaType = "application/json", schema = @Schema(type = "object")))
	@ProblemResponses(HttpStatus.NOT_FOUND)
	@GetMapping("/api/v1/bundles/{sha256}/sbom/signature")
	ResponseEntity<byte[]> sbomSignature(@PathVariable String sha256) {
		MetadataSignature signature = sign(findSbom(sha256))
			.orElseThrow(() -> RegistryException.notFound("this registry runs unsigned: SBOMs have no signature"));
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(signature.toJson());
	}

	/**
	 * Signs a bundle's SBOM as {@code bundles/<hex>/sbom.cdx.json}; the SBOM never
	 * changes, so its version is the registration time in milliseconds.
	 */
	private Optional<MetadataSignature> sign(BundleRepository.Sbom sbom) {
		return this.signing.sign(sbomDocument(sbom.sha256()), sbom.content(), sbom.registeredAt().toEpochMilli());
	}

	/** The document name a bundle's SBOM is signed as. */
	static String sbomDocument(String hex) {
		return "bundles/" + hex + "/sbom.cdx.json";
	}

	private BundleRepository.Sbom findSbom(String sha256) {
		String hex = Sha256Digest.parse(sha256).hex();
		return this.bundles.sbom(hex)
			.orElseThrow(() -> RegistryException.notFound(this.bundles.find(hex).isPresent()
					? "bundle " + hex + " was registered without an SBOM (built before bundles carried one)"
					: "no bundle " + hex));
	}

	/**
	 * The SBOM text of a registration: required when the manifest names one, and then
	 * exactly the file the manifest lists (its sha256 and size), a CycloneDX JSON
	 * document.
	 */
	private static String checkedSbom(BundleRequest request) {
		JsonNode path = request.manifest().path("sbom");
		if (!path.isString()) {
			if (request.sbom() != null) {
				throw RegistryException.unprocessable("invalid-bundle",
						"sbom: the manifest names no SBOM file, so the registration must not carry one");
			}
			return null;
		}
		if (request.sbom() == null) {
			throw RegistryException.unprocessable("invalid-bundle",
					"sbom: the manifest names " + path.asString() + "; send its content as 'sbom'");
		}
		byte[] bytes = request.sbom().getBytes(StandardCharsets.UTF_8);
		JsonNode listed = null;
		for (JsonNode file : request.manifest().path("files")) {
			if (path.asString().equals(file.path("path").asString())) {
				listed = file;
			}
		}
		if (listed == null) {
			throw RegistryException.unprocessable("invalid-bundle",
					"sbom: the manifest's files do not list " + path.asString());
		}
		if (!Sha256Digest.of(bytes).hex().equals(listed.path("sha256").asString())
				|| listed.path("size").asLong(-1) != bytes.length) {
			throw RegistryException.unprocessable("invalid-bundle", "sbom: the content sent is not the "
					+ path.asString() + " the manifest lists (sha256 " + listed.path("sha256").asString() + ")");
		}
		SbomDocuments.check(bytes);
		return request.sbom();
	}

	private Bundle find(String hex) {
		return this.bundles.find(hex).orElseThrow(() -> RegistryException.notFound("no bundle " + hex));
	}

}
