package dev.pgext.registry.lifecycle;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.catalog.CatalogEntries;
import dev.pgext.registry.events.EventTypes;
import dev.pgext.registry.events.Events;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.registry.projection.ProjectionTarget;
import dev.pgext.registry.projection.Projections;

/**
 * {@code /api/v1/distributions/{name}/...}: yank and un-yank a release, deprecate a
 * distribution, offer and accept its ownership. Each change writes its audit row and event
 * in its own transaction; a yank or un-yank also recomputes the catalog listing of the
 * affected extensions and asks, in that transaction, for the projections of the affected
 * scope and majors, so a crash cannot leave {@code ext_index.json} or the seed layout stale.
 */
@RestController
class LifecycleController {

	private final JdbcClient jdbc;

	private final AuditLog audit;

	private final Events events;

	private final Projections projections;

	private final CatalogEntries catalog;

	LifecycleController(JdbcClient jdbc, AuditLog audit, Events events, Projections projections,
			CatalogEntries catalog) {
		this.jdbc = jdbc;
		this.audit = audit;
		this.events = events;
		this.projections = projections;
		this.catalog = catalog;
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
	@GetMapping("/api/v1/distributions/{name}/lifecycle")
	Lifecycle lifecycle(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		return state(Scopes.column(scope), name, null);
	}

	@Operation(summary = "Yank a release: hidden from manifests and search, still downloadable by exact version")
	@PostMapping("/api/v1/distributions/{name}/versions/{version}/yank")
	@Transactional
	Lifecycle yank(@Parameter(hidden = true) Caller caller, @PathVariable String name, @PathVariable String version,
			@RequestParam(required = false) String tenant, @Valid @RequestBody YankRequest request) {
		String scope = requireMaintainer(caller, tenant, name);
		int changed = this.jdbc
			.sql("update release set yanked_at = now(), yank_reason = ?, yanked_by = ? "
					+ "where scope = ? and distribution = ? and version = ? and yanked_at is null")
			.params(request.reason(), caller.userId(), scope, name, version)
			.update();
		if (changed == 0) {
			requireRelease(scope, name, version);
			throw RegistryException.conflict("already-yanked", name + " " + version + " is already yanked");
		}
		return afterYankChange(caller, scope, name, version, EventTypes.RELEASE_YANKED, request.reason());
	}

	@Operation(summary = "Un-yank a release")
	@DeleteMapping("/api/v1/distributions/{name}/versions/{version}/yank")
	@Transactional
	Lifecycle unyank(@Parameter(hidden = true) Caller caller, @PathVariable String name, @PathVariable String version,
			@RequestParam(required = false) String tenant) {
		String scope = requireMaintainer(caller, tenant, name);
		int changed = this.jdbc
			.sql("update release set yanked_at = null, yank_reason = null, yanked_by = null "
					+ "where scope = ? and distribution = ? and version = ? and yanked_at is not null")
			.params(scope, name, version)
			.update();
		if (changed == 0) {
			requireRelease(scope, name, version);
			throw RegistryException.conflict("not-yanked", name + " " + version + " is not yanked");
		}
		return afterYankChange(caller, scope, name, version, EventTypes.RELEASE_UNYANKED, null);
	}

	private Lifecycle afterYankChange(Caller caller, String scope, String name, String version, String type,
			String reason) {
		List<String> extensions = this.jdbc
			.sql("select distinct e.name from release_extension e join release r on r.id = e.release_id "
					+ "where r.scope = ? and r.distribution = ? and r.version = ? order by e.name")
			.params(scope, name, version)
			.query(String.class)
			.list();
		List<Integer> majors = this.jdbc
			.sql("select distinct e.pg_major from release_extension e join release r on r.id = e.release_id "
					+ "where r.scope = ? and r.distribution = ? and r.version = ? order by e.pg_major")
			.params(scope, name, version)
			.query(Integer.class)
			.list();
		this.catalog.refresh(scope, extensions);
		Scope parsed = Scopes.fromColumn(scope);
		long job = 0;
		for (int major : majors) {
			job = this.projections.request(new ProjectionTarget.Store(parsed, PgMajor.of(major)), caller.name());
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
		return state(scope, name, "/api/v1/operations/" + job);
	}

	@Operation(summary = "Deprecate a distribution, optionally naming its successor")
	@PostMapping("/api/v1/distributions/{name}/deprecation")
	@Transactional
	Lifecycle deprecate(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant, @Valid @RequestBody DeprecationRequest request) {
		String scope = requireMaintainer(caller, tenant, name);
		if (request.successor() != null) {
			if (request.successor().equals(name)) {
				throw RegistryException.badRequest("invalid-successor", "a distribution cannot succeed itself");
			}
			requireDistribution(scope, request.successor());
		}
		this.jdbc
			.sql("update distribution set deprecated_at = now(), successor = ?, deprecation_reason = ? "
					+ "where scope = ? and name = ?")
			.params(request.successor(), request.reason(), scope, name)
			.update();
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("distribution", name);
		detail.put("successor", request.successor());
		detail.put("reason", request.reason());
		detail.put("by", caller.name());
		recordChange(caller, "distribution.deprecate", EventTypes.DISTRIBUTION_DEPRECATED, scope, name, detail);
		return state(scope, name, null);
	}

	@Operation(summary = "Withdraw the deprecation of a distribution")
	@DeleteMapping("/api/v1/distributions/{name}/deprecation")
	@Transactional
	Lifecycle undeprecate(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		String scope = requireMaintainer(caller, tenant, name);
		int changed = this.jdbc
			.sql("update distribution set deprecated_at = null, successor = null, deprecation_reason = null "
					+ "where scope = ? and name = ? and deprecated_at is not null")
			.params(scope, name)
			.update();
		if (changed == 0) {
			throw RegistryException.conflict("not-deprecated", name + " is not deprecated");
		}
		Map<String, Object> detail = Map.of("distribution", name, "by", caller.name());
		recordChange(caller, "distribution.undeprecate", EventTypes.DISTRIBUTION_UNDEPRECATED, scope, name, detail);
		return state(scope, name, null);
	}

	@Operation(summary = "Offer the ownership of a distribution to another user (owner only)")
	@PostMapping("/api/v1/distributions/{name}/ownership-offer")
	@Transactional
	Lifecycle offer(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant, @Valid @RequestBody OfferRequest request) {
		Scope parsed = Scope.parse(tenant);
		String scope = Scopes.column(parsed);
		caller.requireAuthenticated();
		requireDistribution(scope, name);
		if (!isOwner(scope, name, caller.userId())) {
			throw RegistryException.forbidden("only an owner of " + name + " may offer its ownership");
		}
		Long to = this.jdbc.sql("select id from registry_user where name = ?")
			.param(request.to())
			.query(Long.class)
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no user " + request.to()));
		if (to.equals(caller.userId())) {
			throw RegistryException.badRequest("invalid-offer", "you own " + name + " already");
		}
		this.jdbc
			.sql("insert into ownership_offer (scope, name, offered_by, offered_to) values (?, ?, ?, ?) "
					+ "on conflict (scope, name) do update set offered_by = excluded.offered_by, "
					+ "offered_to = excluded.offered_to, offered_at = now()")
			.params(scope, name, caller.userId(), to)
			.update();
		Map<String, Object> detail = Map.of("distribution", name, "from", caller.name(), "to", request.to());
		recordChange(caller, "ownership.offer", EventTypes.OWNERSHIP_OFFERED, scope, name, detail);
		return state(scope, name, null);
	}

	@Operation(summary = "Accept an ownership offer (the offered user only); previous owners stay as maintainers")
	@PostMapping("/api/v1/distributions/{name}/ownership-offer/accept")
	@Transactional
	Lifecycle accept(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		String scope = Scopes.column(Scope.parse(tenant));
		caller.requireAuthenticated();
		Map.Entry<Long, Long> offer = this.jdbc
			.sql("select offered_by, offered_to from ownership_offer where scope = ? and name = ? for update")
			.params(scope, name)
			.query((rs, n) -> Map.entry(rs.getLong(1), rs.getLong(2)))
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no open ownership offer for " + name));
		if (!offer.getValue().equals(caller.userId())) {
			throw RegistryException.forbidden("the ownership of " + name + " was offered to someone else");
		}
		String from = this.jdbc.sql("select name from registry_user where id = ?")
			.param(offer.getKey())
			.query(String.class)
			.single();
		this.jdbc.sql("update distribution_maintainer set role = 'maintainer' where scope = ? and name = ? "
				+ "and role = 'owner'")
			.params(scope, name)
			.update();
		this.jdbc
			.sql("insert into distribution_maintainer (scope, name, user_id, role) values (?, ?, ?, 'owner') "
					+ "on conflict (scope, name, user_id) do update set role = 'owner'")
			.params(scope, name, caller.userId())
			.update();
		this.jdbc.sql("delete from ownership_offer where scope = ? and name = ?").params(scope, name).update();
		Map<String, Object> detail = Map.of("distribution", name, "from", from, "to", caller.name());
		recordChange(caller, "ownership.accept", EventTypes.OWNERSHIP_TRANSFERRED, scope, name, detail);
		return state(scope, name, null);
	}

	private String requireMaintainer(Caller caller, String tenant, String name) {
		String scope = Scopes.column(Scope.parse(tenant));
		caller.requireAuthenticated();
		requireDistribution(scope, name);
		boolean maintainer = this.jdbc
			.sql("select count(*) from distribution_maintainer where scope = ? and name = ? and user_id = ?")
			.params(scope, name, caller.userId())
			.query(Long.class)
			.single() > 0;
		if (!maintainer && !caller.isAdmin()) {
			throw RegistryException.forbidden("only a maintainer of " + name + " may change its lifecycle");
		}
		return scope;
	}

	private boolean isOwner(String scope, String name, Long userId) {
		return this.jdbc
			.sql("select count(*) from distribution_maintainer where scope = ? and name = ? and user_id = ? "
					+ "and role = 'owner'")
			.params(scope, name, userId)
			.query(Long.class)
			.single() > 0;
	}

	private void requireDistribution(String scope, String name) {
		boolean exists = this.jdbc.sql("select count(*) from distribution where scope = ? and name = ?")
			.params(scope, name)
			.query(Long.class)
			.single() > 0;
		if (!exists) {
			throw RegistryException.notFound("no distribution " + name);
		}
	}

	private void requireRelease(String scope, String name, String version) {
		boolean exists = this.jdbc
			.sql("select count(*) from release where scope = ? and distribution = ? and version = ?")
			.params(scope, name, version)
			.query(Long.class)
			.single() > 0;
		if (!exists) {
			throw RegistryException.notFound("no release " + name + " " + version);
		}
	}

	private Lifecycle state(String scope, String name, String storeOperation) {
		record Distribution(boolean deprecated, String successor, String reason) {
		}
		Distribution distribution = this.jdbc
			.sql("select deprecated_at is not null, successor, deprecation_reason from distribution "
					+ "where scope = ? and name = ?")
			.params(scope, name)
			.query((rs, n) -> new Distribution(rs.getBoolean(1), rs.getString(2), rs.getString(3)))
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no distribution " + name));
		List<String> owners = this.jdbc
			.sql("select u.name from distribution_maintainer m join registry_user u on u.id = m.user_id "
					+ "where m.scope = ? and m.name = ? and m.role = 'owner' order by u.name")
			.params(scope, name)
			.query(String.class)
			.list();
		String offeredTo = this.jdbc
			.sql("select u.name from ownership_offer o join registry_user u on u.id = o.offered_to "
					+ "where o.scope = ? and o.name = ?")
			.params(scope, name)
			.query(String.class)
			.optional()
			.orElse(null);
		List<ReleaseState> releases = this.jdbc
			.sql("select version, yanked_at is not null, yank_reason, yanked_at from release "
					+ "where scope = ? and distribution = ? order by published_at desc, id desc")
			.params(scope, name)
			.query((rs, n) -> new ReleaseState(rs.getString(1), rs.getBoolean(2), rs.getString(3),
					(rs.getTimestamp(4) != null) ? rs.getTimestamp(4).toInstant() : null))
			.list();
		return new Lifecycle(name, Scopes.tenantOf(scope), distribution.deprecated(), distribution.successor(),
				distribution.reason(), owners, offeredTo, releases, storeOperation);
	}

	/** Every lifecycle change goes to the audit log and, in the same transaction, to the event outbox. */
	private void recordChange(Caller caller, String action, String eventType, String scope, String name,
			Map<String, ?> detail) {
		this.audit.record(caller.name(), action, name, detail);
		this.events.record(eventType, name, Scopes.tenantOf(scope), caller.name(), detail);
	}

}
