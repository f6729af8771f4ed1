package dev.pgext.registry.projection;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;

/**
 * One independently reconciled part of the store: a scope and major (its seed layout and
 * {@code ext_index.json}) or the static mirror. Its {@link #key()} names it in jobs and
 * locks.
 */
public sealed interface ProjectionTarget {

	/**
	 * A stable name, such as {@code store:acme/15}, {@code store:/17},
	 * {@code store:/17/linux-arm64-gnu} or {@code mirror}.
	 */
	String key();

	/** The target named by {@code key}; the inverse of {@link #key()}. */
	static ProjectionTarget parse(String key) {
		if (key.equals(Mirror.KEY)) {
			return new Mirror();
		}
		if (key.startsWith(Store.PREFIX)) {
			String rest = key.substring(Store.PREFIX.length());
			Platform platform = Platform.DEFAULT;
			int slash = rest.lastIndexOf('/');
			if (slash >= 0 && rest.substring(slash + 1).contains("-")) {
				platform = Platform.parse(rest.substring(slash + 1));
				rest = rest.substring(0, slash);
				slash = rest.lastIndexOf('/');
			}
			if (slash >= 0) {
				return new Store(Scopes.fromColumn(rest.substring(0, slash)), PgMajor.parse(rest.substring(slash + 1)),
						platform);
			}
		}
		throw new IllegalArgumentException("'" + key + "' names no projection target");
	}

	/**
	 * The seed layout and index of one scope, major and platform, under
	 * {@code [<tenant>/]<pg>/} for the default platform and
	 * {@code [<tenant>/]<pg>/<platform>/} for any other.
	 *
	 * @param scope the public scope or a tenant's
	 * @param major the Postgres major
	 * @param platform the platform
	 */
	record Store(Scope scope, PgMajor major, Platform platform) implements ProjectionTarget {

		static final String PREFIX = "store:";

		/** The target of the default platform. */
		public Store(Scope scope, PgMajor major) {
			this(scope, major, Platform.DEFAULT);
		}

		@Override
		public String key() {
			return PREFIX + Scopes.column(this.scope) + "/" + this.major
					+ (this.platform.isDefault() ? "" : "/" + this.platform);
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
