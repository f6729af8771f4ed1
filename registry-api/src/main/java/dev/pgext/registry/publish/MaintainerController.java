package dev.pgext.registry.publish;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import org.springframework.http.HttpStatus;
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
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.distribution.Distribution;
import dev.pgext.registry.distribution.Distributions;
import dev.pgext.registry.events.EventTypes;
import dev.pgext.registry.events.Events;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * Who may publish a distribution: its first publisher owns it, and owners add
 * co-maintainers.
 */
@Tag(name = "distributions",
		description = "Owners, maintainers and the lifecycle of a distribution: yank, deprecate, transfer ownership")
@RestController
class MaintainerController {

	private final AuditLog audit;

	private final Events events;

	private final Distributions distributions;

	MaintainerController(AuditLog audit, Events events, Distributions distributions) {
		this.audit = audit;
		this.events = events;
		this.distributions = distributions;
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

	@Operation(summary = "Owners and maintainers of a distribution")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@GetMapping("/api/v1/distributions/{name}/maintainers")
	List<Maintainer> maintainers(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant) {
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		Distribution distribution = this.distributions.find(Scopes.column(scope), name);
		Map<Long, String> names = this.distributions
			.userNames(distribution.maintainers().stream().map(Distribution.Maintainer::userId).toList());
		return distribution.maintainers()
			.stream()
			.map((m) -> new Maintainer(names.get(m.userId()), m.role()))
			.sorted(Comparator.comparing(Maintainer::role).reversed().thenComparing(Maintainer::user))
			.toList();
	}

	@Operation(summary = "Add a maintainer to a distribution (an owner only)")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@PostMapping("/api/v1/distributions/{name}/maintainers")
	@ResponseStatus(HttpStatus.CREATED)
	@Transactional
	Maintainer addMaintainer(@Parameter(hidden = true) Caller caller, @PathVariable String name,
			@RequestParam(required = false) String tenant, @Valid @RequestBody NewMaintainer request) {
		// the token that may publish into the scope, checked before the name is looked up
		Scope target = Scope.parse(tenant);
		caller.requirePublishInto(target);
		String scope = Scopes.column(target);
		Distribution distribution = this.distributions.forUpdate(scope, name)
			.requireOwner(caller, true, "only an owner of " + name + " may add maintainers");
		long userId = this.distributions.maintainerId(request.user(), scope, name, "invalid-maintainer");
		this.distributions.save(distribution.withMaintainer(userId, Distributions.now()));
		this.audit.record(caller.name(), "maintainer.add", name,
				Map.of("user", request.user(), "tenant", String.valueOf(Scopes.tenantOf(scope))));
		this.events.record(EventTypes.MAINTAINER_ADDED, name, Scopes.tenantOf(scope), caller.name(),
				Map.of("distribution", name, "user", request.user(), "role", "maintainer", "added_by", caller.name()));
		return new Maintainer(request.user(), "maintainer");
	}

}
