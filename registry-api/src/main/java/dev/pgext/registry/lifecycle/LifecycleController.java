package dev.pgext.registry.lifecycle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.catalog.CatalogEntries;
import dev.pgext.registry.distribution.Distribution;
import dev.pgext.registry.distribution.Distributions;
import dev.pgext.registry.events.EventTypes;
import dev.pgext.registry.events.Events;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.registry.projection.ProjectionTarget;
import dev.pgext.registry.projection.Projections;
import dev.pgext.registry.publish.ReleaseRepository;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * {@code /api/v1/distributions/{name}/...}: yank and un-yank a release, deprecate a
 * distribution, offer and accept its ownership. Each change writes its audit row and
 * event in its own transaction; a yank or un-yank also recomputes the catalog listing of
 * the affected extensions and asks, in that transaction, for the projections of the
 * affected scope and majors, so a crash cannot leave {@code ext_index.json} or the seed
 * layout stale.
 */
@Tag(name = "distributions")
@RestController
class LifecycleController {

	private final AuditLog audit;

	private final Events events;

	private final Projections projections;

	private final CatalogEntries catalog;

	private final Distributions distributions;

	private final ReleaseRepository releases;

	private final LifecycleRepository queries;

	LifecycleController(AuditLog audit, Events events, Projections projections, CatalogEntries catalog,
			Distributions distributions, ReleaseRepository releases, LifecycleRepository queries) {
		this.audit = audit;
		this.events = events;
		this.projections = projections;
		this.catalog = catalog;
		this.distributions = distributions;
		this.releases = releases;
		this.queries = queries;
	}

	/**
	 * Why a release is yanked.
	 *
	 * @param reason shown to users and recorded
	 */
	record YankRequest(@NotBlank @Size(max = 1000) String reason) {
	}

	/**
	 * A deprecation.
	 *
	 * @param successor the distribution to use instead, if any
	 * @param reason why
	 */
	record DeprecationRequest(@Size(max = 200) String successor, @Size(max = 1000) String reason) {
	}

	/**
	 * An ownership offer.
	 *
	 * @param to the user who may accept
	 */
	record OfferRequest(@NotBlank String to) {
	}

	/**
	 * The lifecycle state of one release.
	 *
	 * @param version the version
	 * @param yanked whether it is yanked
	 * @param reason why, when yanked
	 * @param yankedAt when
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record ReleaseState(String version, boolean yanked, @JsonProperty("yank_reason") String reason,
			@JsonProperty("yanked_at") Instant yankedAt) {
	}

	/**
	 * The lifecycle state of a distribution.
	 *
	 * @param distribution its name
	 * @param tenant its tenant, {@code null} when public
	 * @param deprecated whether it is deprecated
	 * @param successor what to use instead
	 * @param deprecationReason why it is deprecated
	 * @param owners its owners
	 * @param offeredTo the user an open ownership offer names
	 * @param releases its releases, newest first
	 * @param storeOperation after a yank or un-yank, the operation that reconciles the
	 * affected index (of the highest affected major, when there are several)
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Lifecycle(String distribution, String tenant, boolean deprecated, String successor,
			@JsonProperty("deprecation_reason") String deprecationReason, List<String> owners,
			@JsonProperty("ownership_offered_to") String offeredTo, List<ReleaseState> releases,
			@JsonProperty("store_operation") String storeOperation) {
	}

	@Operation(summary = "Deprecation, owners, open ownership offer and yanked releases of a distribution")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@GetMapping("/api/v1/distributions/{name}/lifecycle")
	Lifecycle lifecycle(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		return state(this.distributions.find(Scopes.column(scope), name), null);
	}

	@Operation(summary = "Yank a release: hidden from manifests and search, still downloadable by exact version")
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.CONFLICT })
	@PostMapping("/api/v1/distributions/{name}/versions/{version}/yank")
	@Transactional
	Lifecycle yank(@Parameter(hidden = true) Caller caller, @PathVariable String name, @PathVariable String version,
			@RequestParam(required = false) String tenant, @Valid @RequestBody YankRequest request) {
		Distribution distribution = maintained(caller, tenant, name);
		if (this.releases.yank(distribution.scope(), name, version, request.reason(), caller.userId()) == 0) {
			requireRelease(distribution.scope(), name, version);
			throw RegistryException.conflict("already-yanked", name + " " + version + " is already yanked");
		}
		return afterYankChange(caller, distribution, version, EventTypes.RELEASE_YANKED, request.reason());
	}

	@Operation(summary = "Un-yank a release")
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.CONFLICT })
	@DeleteMapping("/api/v1/distributions/{name}/versions/{version}/yank")
	@Transactional
	Lifecycle unyank(@Parameter(hidden = true) Caller caller, @PathVariable String name, @PathVariable String version,
			@RequestParam(required = false) String tenant) {
		Distribution distribution = maintained(caller, tenant, name);
		if (this.releases.unyank(distribution.scope(), name, version) == 0) {
			requireRelease(distribution.scope(), name, version);
			throw RegistryException.conflict("not-yanked", name + " " + version + " is not yanked");
		}
		return afterYankChange(caller, distribution, version, EventTypes.RELEASE_UNYANKED, null);
	}

	private Lifecycle afterYankChange(Caller caller, Distribution distribution, String version, String type,
			String reason) {
		String scope = distribution.scope();
		String name = distribution.name();
		LifecycleRepository.ReleaseContents contents = this.queries.contentsOf(scope, name, version);
		List<String> extensions = contents.extensions();
		List<Integer> majors = contents.majors();
		this.catalog.refresh(scope, extensions);
		Scope parsed = Scopes.fromColumn(scope);
		long job = 0;
		for (int major : majors) {
			for (Platform platform : Platform.supported()) {
				long requested = this.projections
					.request(new ProjectionTarget.Store(parsed, PgMajor.of(major), platform), caller.name());
				// the answer names the run of the default platform's index, the one every
				// existing client and loader reads
				if (platform.equals(Platform.DEFAULT) || job == 0) {
					job = requested;
				}
			}
		}
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("distribution", name);
		detail.put("version", version);
		detail.put("extensions", extensions);
		detail.put("pg_majors", majors);
		if (reason != null) {
			detail.put("reason", reason);
		}
		detail.put("by", caller.name());
		recordChange(caller, type.equals(EventTypes.RELEASE_YANKED) ? "release.yank" : "release.unyank", type, scope,
				name, detail);
		return state(distribution, "/api/v1/operations/" + job);
	}

	@Operation(summary = "Deprecate a distribution, optionally naming its successor")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@PostMapping("/api/v1/distributions/{name}/deprecation")
	@Transactional
	Lifecycle deprecate(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant, @Valid @RequestBody DeprecationRequest request) {
		Distribution distribution = maintained(caller, tenant, name);
		if (request.successor() != null && !request.successor().equals(name)) {
			this.distributions.find(distribution.scope(), request.successor());
		}
		distribution = this.distributions
			.save(distribution.deprecate(request.successor(), request.reason(), Distributions.now()));
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("distribution", name);
		detail.put("successor", request.successor());
		detail.put("reason", request.reason());
		detail.put("by", caller.name());
		recordChange(caller, "distribution.deprecate", EventTypes.DISTRIBUTION_DEPRECATED, distribution.scope(), name,
				detail);
		return state(distribution, null);
	}

	@Operation(summary = "Withdraw the deprecation of a distribution")
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.CONFLICT })
	@DeleteMapping("/api/v1/distributions/{name}/deprecation")
	@Transactional
	Lifecycle undeprecate(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		Distribution distribution = this.distributions.save(maintained(caller, tenant, name).undeprecate());
		Map<String, Object> detail = Map.of("distribution", name, "by", caller.name());
		recordChange(caller, "distribution.undeprecate", EventTypes.DISTRIBUTION_UNDEPRECATED, distribution.scope(),
				name, detail);
		return state(distribution, null);
	}

	@Operation(summary = "Offer the ownership of a distribution to another user (owner only)")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@PostMapping("/api/v1/distributions/{name}/ownership-offer")
	@Transactional
	Lifecycle offer(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant, @Valid @RequestBody OfferRequest request) {
		Distribution distribution = this.distributions.forUpdate(changeable(caller, tenant), name)
			.requireOwner(caller, false, "only an owner of " + name + " may offer its ownership");
		long to = this.distributions.maintainerId(request.to(), distribution.scope(), name, "invalid-offer");
		distribution = this.distributions.save(distribution.offerTo(caller.userId(), to, Distributions.now()));
		Map<String, Object> detail = Map.of("distribution", name, "from", caller.name(), "to", request.to());
		recordChange(caller, "ownership.offer", EventTypes.OWNERSHIP_OFFERED, distribution.scope(), name, detail);
		return state(distribution, null);
	}

	@Operation(summary = "Accept an ownership offer (the offered user only); previous owners stay as maintainers")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@PostMapping("/api/v1/distributions/{name}/ownership-offer/accept")
	@Transactional
	Lifecycle accept(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		Distribution offered = this.distributions.forUpdate(changeable(caller, tenant), name);
		Distribution accepted = this.distributions.save(offered.accept(caller.userId(), Distributions.now()));
		String from = this.distributions.userNames(List.of(offered.offer().offeredBy()))
			.get(offered.offer().offeredBy());
		Map<String, Object> detail = Map.of("distribution", name, "from", from, "to", caller.name());
		recordChange(caller, "ownership.accept", EventTypes.OWNERSHIP_TRANSFERRED, accepted.scope(), name, detail);
		return state(accepted, null);
	}

	/**
	 * The distribution, locked for a change that {@code caller} must be a maintainer to
	 * make.
	 */
	private Distribution maintained(Caller caller, String tenant, String name) {
		return this.distributions.forUpdate(changeable(caller, tenant), name)
			.requireMaintainer(caller, "only a maintainer of " + name + " may change its lifecycle");
	}

	/**
	 * The stored scope of {@code tenant}, once {@code caller} is known to be one who may
	 * publish into it: a lifecycle change reaches the same computes a publish does, so it
	 * needs the same token (scope {@code publish} or {@code admin}, of that tenant for a
	 * private scope, of no tenant for the public one). Checked before the distribution is
	 * looked up, so another tenant's names cannot be probed by the answer.
	 */
	private static String changeable(Caller caller, String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requirePublishInto(scope);
		return Scopes.column(scope);
	}

	private void requireRelease(String scope, String name, String version) {
		if (!this.queries.releaseExists(scope, name, version)) {
			throw RegistryException.notFound("no release " + name + " " + version);
		}
	}

	private Lifecycle state(Distribution distribution, String storeOperation) {
		List<Long> ids = new ArrayList<>();
		distribution.maintainers().forEach((m) -> ids.add(m.userId()));
		if (distribution.offer() != null) {
			ids.add(distribution.offer().offeredTo());
		}
		Map<Long, String> names = this.distributions.userNames(ids);
		List<String> owners = distribution.maintainers()
			.stream()
			.filter((m) -> Distribution.OWNER.equals(m.role()))
			.map((m) -> names.get(m.userId()))
			.sorted()
			.toList();
		String offeredTo = (distribution.offer() != null) ? names.get(distribution.offer().offeredTo()) : null;
		List<ReleaseState> releases = this.queries.releases(distribution.scope(), distribution.name())
			.stream()
			.map((r) -> new ReleaseState(r.version(), r.yanked(), r.reason(), r.yankedAt()))
			.toList();
		return new Lifecycle(distribution.name(), Scopes.tenantOf(distribution.scope()),
				distribution.deprecatedAt() != null, distribution.successor(), distribution.deprecationReason(), owners,
				offeredTo, releases, storeOperation);
	}

	/**
	 * Every lifecycle change goes to the audit log and, in the same transaction, to the
	 * event outbox.
	 */
	private void recordChange(Caller caller, String action, String eventType, String scope, String name,
			Map<String, ?> detail) {
		this.audit.record(caller.name(), action, name, detail);
		this.events.record(eventType, name, Scopes.tenantOf(scope), caller.name(), detail);
	}

}
