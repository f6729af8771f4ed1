package dev.pgext.registry.lifecycle;

import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * What the lifecycle answers read about releases: which extensions and majors a release
 * touches, and the yank state of every release of a distribution.
 */
@Repository
class LifecycleRepository {

	private final JdbcClient jdbc;

	LifecycleRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The yank state of one release.
	 *
	 * @param version the version
	 * @param yanked whether it is yanked
	 * @param reason why
	 * @param yankedAt when
	 */
	record YankState(String version, boolean yanked, String reason, Instant yankedAt) {
	}

	boolean releaseExists(String scope, String distribution, String version) {
		return this.jdbc
			.sql("select exists (select 1 from release where scope = ? and distribution = ? and version = ?)")
			.params(scope, distribution, version)
			.query(Boolean.class)
			.single();
	}

	List<String> extensionsOf(String scope, String distribution, String version) {
		return this.jdbc
			.sql("select distinct e.name from release_extension e join release r on r.id = e.release_id "
					+ "where r.scope = ? and r.distribution = ? and r.version = ? order by e.name")
			.params(scope, distribution, version)
			.query(String.class)
			.list();
	}

	List<Integer> majorsOf(String scope, String distribution, String version) {
		return this.jdbc
			.sql("select distinct e.pg_major from release_extension e join release r on r.id = e.release_id "
					+ "where r.scope = ? and r.distribution = ? and r.version = ? order by e.pg_major")
			.params(scope, distribution, version)
			.query(Integer.class)
			.list();
	}

	/** Every release of the distribution, newest first. */
	List<YankState> releases(String scope, String distribution) {
		return this.jdbc
			.sql("select version, yanked_at is not null, yank_reason, yanked_at from release "
					+ "where scope = ? and distribution = ? order by published_at desc, id desc")
			.params(scope, distribution)
			.query((rs, n) -> new YankState(rs.getString(1), rs.getBoolean(2), rs.getString(3),
					(rs.getTimestamp(4) != null) ? rs.getTimestamp(4).toInstant() : null))
			.list();
	}

}
