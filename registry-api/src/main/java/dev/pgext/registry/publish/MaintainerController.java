package dev.pgext.registry.publish;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Parameter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.events.EventTypes;
import dev.pgext.registry.events.Events;
import dev.pgext.registry.problem.RegistryException;

/**
 * Who may publish a distribution: its first publisher owns it, and owners add
 * co-maintainers.
 */
@RestController
class MaintainerController {

	private final JdbcClient jdbc;

	private final AuditLog audit;

	private final Events events;

	MaintainerController(JdbcClient jdbc, AuditLog audit, Events events) {
		this.events = events;
		this.jdbc = jdbc;
		this.audit = audit;
	}

	/**
	 * A maintainer of a distribution.
	 *
	 * @param user the user name
	 * @param role {@code owner} or {@code maintainer}
	 */
	record Maintainer(String user, String role) {
	}

	/**
	 * A user to add as co-maintainer.
	 *
	 * @param user the user name
	 */
	record NewMaintainer(@NotBlank String user) {
	}

	@GetMapping("/api/v1/distributions/{name}/maintainers")
	List<Maintainer> maintainers(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		List<Maintainer> maintainers = this.jdbc
			.sql("select u.name, m.role from distribution_maintainer m join registry_user u on u.id = m.user_id "
					+ "where m.scope = ? and m.name = ? order by m.role desc, u.name")
			.params(Scopes.column(scope), name)
			.query((rs, n) -> new Maintainer(rs.getString(1), rs.getString(2)))
			.list();
		if (maintainers.isEmpty()) {
			throw RegistryException.notFound("no distribution " + name + " in " + scope);
		}
		return maintainers;
	}

	@PostMapping("/api/v1/distributions/{name}/maintainers")
	@ResponseStatus(HttpStatus.CREATED)
	@Transactional
	Maintainer addMaintainer(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant, @Valid @RequestBody NewMaintainer request) {
		Scope scope = Scope.parse(tenant);
		caller.requireAuthenticated();
		String scopeColumn = Scopes.column(scope);
		boolean exists = this.jdbc.sql("select count(*) from distribution where scope = ? and name = ?")
			.params(scopeColumn, name)
			.query(Long.class)
			.single() > 0;
		if (!exists) {
			throw RegistryException.notFound("no distribution " + name + " in " + scope);
		}
		boolean owner = this.jdbc
			.sql("select count(*) from distribution_maintainer where scope = ? and name = ? and user_id = ? "
					+ "and role = 'owner'")
			.params(scopeColumn, name, caller.userId())
			.query(Long.class)
			.single() > 0;
		if (!owner && !caller.isAdmin()) {
			throw RegistryException.forbidden("only an owner of " + name + " may add maintainers");
		}
		Long userId = this.jdbc.sql("select id from registry_user where name = ?")
			.param(request.user())
			.query(Long.class)
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no user " + request.user()));
		this.jdbc
			.sql("insert into distribution_maintainer (scope, name, user_id, role) values (?, ?, ?, 'maintainer') "
					+ "on conflict do nothing")
			.params(scopeColumn, name, userId)
			.update();
		this.audit.record(caller.name(), "maintainer.add", name,
				Map.of("user", request.user(), "tenant", String.valueOf(Scopes.tenantOf(scopeColumn))));
		this.events.record(EventTypes.MAINTAINER_ADDED, name, Scopes.tenantOf(scopeColumn), caller.name(),
				Map.of("distribution", name, "user", request.user(), "role", "maintainer", "added_by", caller.name()));
		return new Maintainer(request.user(), "maintainer");
	}

}
