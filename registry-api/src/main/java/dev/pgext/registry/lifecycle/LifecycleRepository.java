package dev.pgext.registry.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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

	/**
	 * The extensions a release holds and the Postgres majors it is built for.
	 *
	 * @param extensions the extension names, sorted
	 * @param majors the majors, ascending
	 */
	record ReleaseContents(List<String> extensions, List<Integer> majors) {
	}

	ReleaseContents contentsOf(String scope, String distribution, String version) {
		Set<String> extensions = new TreeSet<>();
		Set<Integer> majors = new TreeSet<>();
		this.jdbc
			.sql("select distinct e.name, e.pg_major from release_extension e join release r on r.id = e.release_id "
					+ "where r.scope = ? and r.distribution = ? and r.version = ?")
			.params(scope, distribution, version)
			.query((rs) -> {
				extensions.add(rs.getString(1));
				majors.add(rs.getInt(2));
			});
		return new ReleaseContents(List.copyOf(extensions), List.copyOf(majors));
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
