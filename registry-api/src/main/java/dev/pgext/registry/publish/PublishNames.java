package dev.pgext.registry.publish;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.problem.RegistryException;

/**
 * What a publish checks against the catalog before anything is written: names that differ
 * only in case from names a caller can see (Postgres folds unquoted identifiers to lower
 * case, so {@code Hstore} and {@code hstore} are one extension to a user), and the
 * libraries the extensions a release requires already provide.
 */
@Component
class PublishNames {

	private final JdbcClient jdbc;

	PublishNames(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Refuses a distribution or extension name that another one equals after case
	 * folding, in {@code scope} or in the public scope (which every tenant sees). The
	 * same name in the same spelling is not refused here: ownership decides about that.
	 */
	void checkCaseFolding(Scope scope, String distribution, Collection<String> extensions) {
		List<String> scopes = scopes(scope);
		Optional<String> clash = this.jdbc
			.sql("select name from distribution where scope = any(?) and lower(name) = lower(?) and name <> ? limit 1")
			.params(scopes.toArray(String[]::new), distribution, distribution)
			.query(String.class)
			.optional();
		if (clash.isPresent()) {
			throw RegistryException.conflict("name-differs-only-in-case",
					"distribution name '" + distribution + "' differs only in case from the existing distribution '"
							+ clash.get() + "'; names are compared after folding to lower case");
		}
		for (String extension : extensions) {
			Optional<String> taken = this.jdbc
				.sql("select name from extension_name where scope = any(?) and lower(name) = lower(?) and name <> ? "
						+ "limit 1")
				.params(scopes.toArray(String[]::new), extension, extension)
				.query(String.class)
				.optional();
			if (taken.isPresent()) {
				throw RegistryException.conflict("name-differs-only-in-case", "extension name '" + extension
						+ "' differs only in case from the existing extension '" + taken.get()
						+ "'; Postgres folds unquoted names to lower case, so they would be one extension to a user");
			}
		}
	}

	/**
	 * The libraries that the current releases of {@code extensions} provide for
	 * {@code major}, in {@code scope} and in the public scope.
	 */
	Set<String> librariesOf(Scope scope, PgMajor major, Collection<String> extensions) {
		Set<String> libraries = new TreeSet<>();
		if (extensions.isEmpty()) {
			return libraries;
		}
		this.jdbc.sql("""
				select distinct on (e.scope, e.name) e.libraries from release_extension e
				join release r on r.id = e.release_id
				where e.scope = any(?) and e.pg_major = ? and e.name = any(?) and r.yanked_at is null
				order by e.scope, e.name, e.id desc
				""")
			.params(scopes(scope).toArray(String[]::new), major.value(), extensions.toArray(String[]::new))
			.query((rs) -> {
				java.sql.Array array = rs.getArray(1);
				if (array != null) {
					libraries.addAll(List.of((String[]) array.getArray()));
				}
			});
		return libraries;
	}

	private static List<String> scopes(Scope scope) {
		return scope.isPublic() ? List.of(Scopes.column(Scope.PUBLIC))
				: List.of(Scopes.column(Scope.PUBLIC), Scopes.column(scope));
	}

}
