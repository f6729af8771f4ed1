package dev.pgext.registry.projection;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;

/**
 * One independently reconciled part of the store: a scope and major (its seed layout and
 * {@code ext_index.json}) or the static mirror. Its {@link #key()} names it in jobs and locks.
 */
public sealed interface ProjectionTarget {

	/** A stable name, such as {@code store:acme/15}, {@code store:/17} or {@code mirror}. */
	String key();

	/** The target named by {@code key}; the inverse of {@link #key()}. */
	static ProjectionTarget parse(String key) {
		if (key.equals(Mirror.KEY)) {
			return new Mirror();
		}
		if (key.startsWith(Store.PREFIX)) {
			String rest = key.substring(Store.PREFIX.length());
			int slash = rest.lastIndexOf('/');
			if (slash >= 0) {
				return new Store(Scopes.fromColumn(rest.substring(0, slash)), PgMajor.parse(rest.substring(slash + 1)));
			}
		}
		throw new IllegalArgumentException("'" + key + "' names no projection target");
	}

	/**
	 * The seed layout and index of one scope and major, under {@code [<tenant>/]<pg>/}.
	 *
	 * @param scope the public scope or a tenant's
	 * @param major the Postgres major
	 */
	record Store(Scope scope, PgMajor major) implements ProjectionTarget {

		static final String PREFIX = "store:";

		@Override
		public String key() {
			return PREFIX + Scopes.column(this.scope) + "/" + this.major;
		}

	}

	/** The static mirror of the public registry, under {@code mirror/}. */
	record Mirror() implements ProjectionTarget {

		static final String KEY = "mirror";

		@Override
		public String key() {
			return KEY;
		}

	}

}
