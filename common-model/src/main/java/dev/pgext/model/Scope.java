package dev.pgext.model;

import java.util.Optional;

/**
 * Where an extension is visible: the public scope (every compute) or one tenant's private
 * scope (only that tenant's computes and tokens).
 *
 * @param tenant the owning tenant, or {@code null} for the public scope
 */
public record Scope(TenantId tenant) {

	/** The public scope. */
	public static final Scope PUBLIC = new Scope(null);

	public static Scope tenant(TenantId tenant) {
		if (tenant == null) {
			throw new IllegalArgumentException("a tenant scope needs a tenant id");
		}
		return new Scope(tenant);
	}

	/** {@code null} or empty means public, anything else is a tenant id. */
	public static Scope parse(String tenantOrNull) {
		return (tenantOrNull == null || tenantOrNull.isBlank()) ? PUBLIC : tenant(TenantId.of(tenantOrNull));
	}

	public boolean isPublic() {
		return this.tenant == null;
	}

	public Optional<TenantId> tenantId() {
		return Optional.ofNullable(this.tenant);
	}

	@Override
	public String toString() {
		return isPublic() ? "public" : "tenant " + this.tenant;
	}

}
