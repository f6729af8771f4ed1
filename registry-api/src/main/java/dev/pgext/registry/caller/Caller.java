package dev.pgext.registry.caller;

import java.util.Set;

import dev.pgext.model.Scope;
import dev.pgext.model.TenantId;
import dev.pgext.registry.problem.RegistryException;

/**
 * Who is calling: a user with the scopes of the token it presented, or nobody.
 *
 * @param userId the user's id, or {@code null} when anonymous
 * @param name the user's name ({@code anonymous} when anonymous)
 * @param tenant the tenant the user belongs to, or {@code null}
 * @param scopes the token's scopes
 */
public record Caller(Long userId, String name, TenantId tenant, Set<String> scopes) {

	/** May publish releases and register bundles. */
	public static final String PUBLISH = "publish";

	/** May do anything, read every scope and manage users. */
	public static final String ADMIN = "admin";

	/** May approve Postgres bundles for rollout. */
	public static final String BUNDLE_APPROVER = "bundle-approver";

	/** Every scope a token can carry. */
	/**
	 * Reads the registry's metrics ({@code /actuator/metrics},
	 * {@code /actuator/prometheus}) and health details, nothing else.
	 */
	public static final String METRICS = "metrics";

	public static final Set<String> ALL_SCOPES = Set.of(PUBLISH, ADMIN, BUNDLE_APPROVER, METRICS);

	public static final Caller ANONYMOUS = new Caller(null, "anonymous", null, Set.of());

	public Caller {
		scopes = Set.copyOf(scopes);
	}

	public boolean isAuthenticated() {
		return this.userId != null;
	}

	public boolean isAdmin() {
		return this.scopes.contains(ADMIN);
	}

	/**
	 * Refuses anonymous callers (401) and callers whose token has none of {@code anyOf}
	 * (403).
	 */
	public Caller requireScope(String... anyOf) {
		requireAuthenticated();
		for (String scope : anyOf) {
			if (this.scopes.contains(scope)) {
				return this;
			}
		}
		throw RegistryException.forbidden("this token lacks the scope needed here (one of " + String.join(", ", anyOf)
				+ "); it has " + (this.scopes.isEmpty() ? "none" : String.join(", ", this.scopes)));
	}

	public Caller requireAuthenticated() {
		if (!isAuthenticated()) {
			throw RegistryException.unauthenticated("unauthenticated",
					"this needs an API token: send 'Authorization: Bearer <token>'");
		}
		return this;
	}

	/**
	 * Whether this caller may see {@code scope}: the public scope is open, a private one
	 * only to its tenant.
	 */
	public boolean canRead(Scope scope) {
		return scope.isPublic() || isAdmin() || scope.tenant().equals(this.tenant);
	}

	/** Refuses to show a private scope to anyone but its tenant and administrators. */
	public void requireRead(Scope scope) {
		if (canRead(scope)) {
			return;
		}
		requireAuthenticated();
		throw RegistryException.forbidden(
				"the private extensions of tenant " + scope.tenant() + " are visible only to that tenant's tokens");
	}

	/**
	 * Refuses a tenant's tokens what every tenant shares (registered bundles and their
	 * pins, which every compute of an environment runs): a tenant's user is bounded by
	 * its tenant, so neither a leaked tenant token nor two tenants' users together can
	 * change them.
	 */
	public Caller requireNoTenant(String what) {
		if (this.tenant != null) {
			throw RegistryException.forbidden("tokens of tenant " + this.tenant + " cannot " + what
					+ ": every tenant shares them; ask a user of no tenant");
		}
		return this;
	}

	/**
	 * Publishing into a tenant's scope is for that tenant's publishers and
	 * administrators; a tenant's tokens publish nowhere else, so a leaked tenant CI token
	 * cannot reach every compute through the public scope.
	 */
	public void requirePublishInto(Scope scope) {
		requireScope(PUBLISH, ADMIN);
		if (isAdmin()) {
			return;
		}
		if (!scope.isPublic() && !scope.tenant().equals(this.tenant)) {
			throw RegistryException
				.forbidden("only tokens of tenant " + scope.tenant() + " may publish into its scope");
		}
		if (scope.isPublic() && this.tenant != null) {
			throw RegistryException.forbidden("tokens of tenant " + this.tenant
					+ " publish only into that tenant's scope (add ?tenant=" + this.tenant + ")");
		}
	}

}
