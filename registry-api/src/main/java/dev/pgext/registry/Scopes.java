package dev.pgext.registry;

import dev.pgext.model.Scope;

/**
 * How a {@link Scope} is stored in the catalog: the empty string for the public scope (so
 * that it can take part in primary keys), the tenant id otherwise.
 */
public final class Scopes {

	private Scopes() {
	}

	public static String column(Scope scope) {
		return scope.isPublic() ? "" : scope.tenant().value();
	}

	public static Scope fromColumn(String column) {
		return Scope.parse(column);
	}

	/**
	 * The tenant of a stored scope as shown in responses: {@code null} for the public
	 * scope.
	 */
	public static String tenantOf(String column) {
		return (column == null || column.isEmpty()) ? null : column;
	}

}
