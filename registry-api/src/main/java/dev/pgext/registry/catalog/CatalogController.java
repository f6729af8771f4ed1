package dev.pgext.registry.catalog;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.registry.sbom.SbomDocuments;
import dev.pgext.registry.signing.MetadataSigning;
import dev.pgext.registry.storage.DownloadLinks;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * The read side of the catalog. Without {@code tenant} only the public scope is shown;
 * with it, the public scope and that tenant's private one, which only the tenant's tokens
 * and administrators may ask for.
 */
@Tag(name = "catalog", description = "Extensions, their versions and releases, and the files they hold")
@RestController
class CatalogController {

	private static final CacheControl PUBLIC_IMMUTABLE = CacheControl.maxAge(java.time.Duration.ofDays(365))
		.cachePublic()
		.immutable();

	private static final CacheControl PRIVATE_IMMUTABLE = CacheControl.maxAge(java.time.Duration.ofDays(365))
		.cachePrivate()
		.immutable();

	private final CatalogRepository repository;

	private final ObjectStore store;

	private final DownloadLinks links;

	private final PublicFiles publicFiles;

	private final boolean redirectPublic;

	private final MetadataSigning signing;

	CatalogController(CatalogRepository repository, ObjectStore store, DownloadLinks links, PublicFiles publicFiles,
			DownloadProperties downloads, MetadataSigning signing) {
		this.signing = signing;
		this.publicFiles = publicFiles;
		this.redirectPublic = downloads.redirectPublic();
		this.repository = repository;
		this.store = store;
		this.links = links;
	}

	/**
	 * An extension as listed.
	 *
	 * @param name the extension name
	 * @param tenant the tenant of a private extension, or {@code null}
	 * @param distribution the distribution that provides it
	 * @param version its newest release
	 * @param summary one-line summary
	 * @param tags tags of its distribution
	 * @param pgMajors Postgres majors it is available for
	 * @param updatedAt when it was last published
	 */
	record ExtensionSummary(String name, String tenant, String distribution, String version,
			@JsonProperty("abstract") String summary, List<String> tags,
			@JsonProperty("pg_majors") List<Integer> pgMajors, @JsonProperty("updated_at") Instant updatedAt) {
	}

	/**
	 * One page of results.
	 *
	 * @param page the page number, from 0
	 * @param size the page size
	 * @param total the number of items on all pages
	 * @param items the items of this page
	 * @param <T> the item type
	 */
	record Page<T>(int page, int size, long total, List<T> items) {
	}

	@Operation(operationId = "listExtensions", summary = "List extensions, filtered by Postgres major, tag and tenant")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@GetMapping("/api/v1/extensions")
	Page<ExtensionSummary> list(@Parameter(hidden = true) Caller caller, @RequestParam(required = false) String tenant,
			@RequestParam(name = "pg", required = false) Integer pg, @RequestParam(required = false) String tag,
			@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		CatalogRepository.Found<ExtensionSummary> found = this.repository.list(Scopes.column(scope),
				(pg != null) ? PgMajor.of(pg).value() : null,
				(tag != null) ? tag.toLowerCase(java.util.Locale.ROOT) : null, page, size);
		long total = found.total();
		List<ExtensionSummary> items = found.items();
		return new Page<>(page, size, total, items);
	}

	/**
	 * An extension and every version published of it.
	 *
	 * @param extension the extension as listed
	 * @param versions its releases, newest first
	 * @param deprecation its distribution's deprecation, {@code null} when it is not
	 * deprecated
	 */
	record ExtensionDetail(ExtensionSummary extension, List<VersionSummary> versions, Deprecation deprecation) {
	}

	/**
	 * A distribution's deprecation.
	 *
	 * @param deprecatedAt when
	 * @param reason why, as its owner said
	 * @param successor the distribution to use instead, if named
	 */
	record Deprecation(@JsonProperty("deprecated_at") Instant deprecatedAt, String reason, String successor) {
	}

	/**
	 * One release of an extension.
	 *
	 * @param version the release version
	 * @param distribution its distribution
	 * @param pgMajors Postgres majors it was built for
	 * @param publishedAt when it was published
	 * @param yankedAt when it was yanked (out of manifests and search, still readable by
	 * its version), {@code null} for a release that is not
	 * @param yankReason why, as its owner said
	 */
	record VersionSummary(String version, String distribution, @JsonProperty("pg_majors") List<Integer> pgMajors,
			@JsonProperty("published_at") Instant publishedAt, @JsonProperty("yanked_at") Instant yankedAt,
			@JsonProperty("yank_reason") String yankReason) {
	}

	@Operation(operationId = "getExtension", summary = "One extension and its versions")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@GetMapping("/api/v1/extensions/{name}")
	ExtensionDetail extension(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		Scope scope = visibleScope(caller, name, tenant);
		ExtensionSummary summary = this.repository.summary(Scopes.column(scope), name);
		List<VersionSummary> versions = this.repository.versions(Scopes.column(scope), name);
		return new ExtensionDetail(summary, versions,
				this.repository.deprecation(Scopes.column(scope), summary.distribution()).orElse(null));
	}

	/**
	 * One extension of one release for one Postgres major, with its files.
	 *
	 * @param name the extension name
	 * @param version the release version
	 * @param tenant the tenant of a private release, or {@code null}
	 * @param distribution its distribution
	 * @param pgMajor the Postgres major
	 * @param defaultVersion {@code default_version} of its control file
	 * @param control the control file's text
	 * @param libraries libraries it provides
	 * @param requires extensions it requires
	 * @param preload its preload need
	 * @param trusted whether non-superusers may install it
	 * @param superuser whether installing it needs a superuser
	 * @param files its files; download each from {@code /api/v1/files/{sha256}}
	 * @param platform the platform its libraries are built for, such as
	 * {@code linux-amd64-gnu}
	 */
	record ExtensionBuild(String name, String version, String tenant, String distribution,
			@JsonProperty("pg_major") int pgMajor, @JsonProperty("default_version") String defaultVersion,
			String control, List<String> libraries, List<String> requires, String preload, boolean trusted,
			boolean superuser, List<ExtFile> files, String platform) {
	}

	@Operation(operationId = "getExtensionVersion",
			summary = "One version of an extension: control file, libraries, requires and files per Postgres major")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@GetMapping("/api/v1/extensions/{name}/versions/{version}")
	List<ExtensionBuild> version(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@PathVariable String version, @RequestParam(required = false) String tenant) {
		Scope scope = visibleScope(caller, name, tenant);
		List<ExtensionBuild> builds = this.repository.builds("e.scope = ? and e.name = ? and r.version = ?",
				Scopes.column(scope), name, version);
		if (builds.isEmpty()) {
			throw RegistryException.notFound("extension " + name + " has no version " + version);
		}
		return builds;
	}

	@Operation(operationId = "getRelease",
			summary = "One release of a distribution: every extension per Postgres major")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@GetMapping("/api/v1/distributions/{name}/versions/{version}")
	List<ExtensionBuild> release(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@PathVariable String version, @RequestParam(required = false) String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		List<ExtensionBuild> builds = this.repository.builds("r.scope = ? and r.distribution = ? and r.version = ?",
				Scopes.column(scope), name, version);
		if (builds.isEmpty()) {
			throw RegistryException.notFound("distribution " + name + " has no version " + version + " in " + scope);
		}
		return builds;
	}

	@Operation(operationId = "getReleaseSbom",
			summary = "The release's CycloneDX SBOM: the distribution, each extension per Postgres major and "
					+ "platform with every file's sha256, and the shared libraries its libraries link; its "
					+ "signature in the Pgext-Signature header (base64) and at .../sbom/signature")
	@ApiResponse(responseCode = "200", description = "The CycloneDX 1.6 JSON document",
			content = @Content(mediaType = SbomDocuments.MEDIA_TYPE, schema = @Schema(type = "object")))
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.NOT_FOUND })
	@GetMapping("/api/v1/distributions/{name}/versions/{version}/sbom")
	ResponseEntity<byte[]> releaseSbom(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@PathVariable String version, @RequestParam(required = false) String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		CatalogRepository.ReleaseSbom sbom = releaseSbom(scope, name, version);
		return SbomDocuments.response(sbom.content(), signSbom(scope, name, version, sbom));
	}

	@Operation(operationId = "getReleaseSbomSignature", summary = "The detached signature of the release's SBOM")
	@ApiResponse(responseCode = "200", description = "The signature document (docs/signing.md)",
			content = @Content(mediaType = "application/json", schema = @Schema(type = "object")))
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.NOT_FOUND })
	@GetMapping("/api/v1/distributions/{name}/versions/{version}/sbom/signature")
	ResponseEntity<byte[]> releaseSbomSignature(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@PathVariable String version, @RequestParam(required = false) String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		MetadataSignature signature = signSbom(scope, name, version, releaseSbom(scope, name, version))
			.orElseThrow(() -> RegistryException.notFound("this registry runs unsigned: SBOMs have no signature"));
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(signature.toJson());
	}

	private CatalogRepository.ReleaseSbom releaseSbom(Scope scope, String name, String version) {
		CatalogRepository.ReleaseSbom sbom = this.repository.releaseSbom(Scopes.column(scope), name, version)
			.orElseThrow(() -> RegistryException
				.notFound("distribution " + name + " has no version " + version + " in " + scope));
		if (sbom.content() == null) {
			throw RegistryException.notFound(name + " " + version
					+ " was published before releases carried an SBOM; publish a new version for one");
		}
		return sbom;
	}

	/**
	 * Signs a release's SBOM as
	 * {@code releases/[<tenant>/]<distribution>/<version>/sbom.cdx.json}; a release never
	 * changes, so the version is its publication time in milliseconds.
	 */
	private Optional<MetadataSignature> signSbom(Scope scope, String name, String version,
			CatalogRepository.ReleaseSbom sbom) {
		return this.signing.sign(releaseSbomDocument(scope, name, version), sbom.content(),
				sbom.publishedAt().toEpochMilli());
	}

	/** The document name a release's SBOM is signed as. */
	static String releaseSbomDocument(Scope scope, String name, String version) {
		return "releases/" + (scope.isPublic() ? "" : scope.tenant() + "/") + name + "/" + version + "/sbom.cdx.json";
	}

	@Operation(summary = "Download a file by its sha256, streamed from the store, or with redirect=true a 302 to a "
			+ "presigned store URL valid for 15 minutes (public files redirect by default when "
			+ "pgext.registry.downloads.redirect-public is set; redirect=false streams them)")
	@ProblemResponses(HttpStatus.SERVICE_UNAVAILABLE)
	@ApiResponse(responseCode = "200", description = "The file's bytes, streamed from the store",
			content = @Content(mediaType = "application/octet-stream",
					schema = @Schema(type = "string", format = "binary")))
	@ApiResponse(responseCode = "302",
			description = "With redirect=true: Location is a presigned store URL valid for 15 minutes")
	@GetMapping("/api/v1/files/{sha256}")
	ResponseEntity<Resource> file(@Parameter(hidden = true) Caller caller, @PathVariable String sha256,
			@RequestParam(required = false) Boolean redirect) {
		Sha256Digest digest = Sha256Digest.parse(sha256);
		OptionalLong known = this.publicFiles.size(digest);
		boolean visibleToAll;
		long size;
		if (known.isPresent()) {
			visibleToAll = true;
			size = known.getAsLong();
		}
		else {
			List<String> scopes = this.repository.scopesHolding(digest);
			// a digest the caller may not read answers exactly like one nobody published,
			// so
			// that its existence in another tenant's scope cannot be probed
			if (scopes.stream().map(Scopes::fromColumn).noneMatch(caller::canRead)) {
				throw RegistryException.notFound("no published file visible to this caller has that sha256");
			}
			visibleToAll = scopes.contains(Scopes.column(Scope.PUBLIC));
			size = this.repository.size(digest);
			if (visibleToAll) {
				this.publicFiles.remember(digest, size);
			}
		}
		if ((redirect != null) ? redirect : (visibleToAll && this.redirectPublic)) {
			return ResponseEntity.status(HttpStatus.FOUND)
				.location(this.links.get(StoreLayout.blob(digest)))
				.cacheControl(CacheControl.noStore())
				.build();
		}
		ResponseEntity.BodyBuilder ok = ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.contentLength(size)
			.eTag("\"" + digest.prefixed() + "\"")
			.cacheControl(visibleToAll ? PUBLIC_IMMUTABLE : PRIVATE_IMMUTABLE);
		if (visibleToAll && this.publicFiles.keeps(size)) {
			byte[] bytes = this.publicFiles.content(digest)
				.orElseGet(() -> this.publicFiles.read(digest, size, content(digest)));
			return ok.body(new ByteArrayResource(bytes));
		}
		return ok.body(new InputStreamResource(content(digest)));
	}

	private InputStream content(Sha256Digest digest) {
		return this.store.get(StoreLayout.blob(digest))
			.orElseThrow(() -> RegistryException.notFound("the content of " + digest.hex() + " is not in the store"));
	}

	/** The tenant's own extension of that name when there is one, else the public one. */
	private Scope visibleScope(Caller caller, String name, String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		List<String> found = this.repository.scopesListing(name, Scopes.column(scope));
		if (found.isEmpty()) {
			throw RegistryException.notFound("no extension " + name + (scope.isPublic() ? "" : " for " + scope));
		}
		return Scopes.fromColumn(found.get(0));
	}

}
