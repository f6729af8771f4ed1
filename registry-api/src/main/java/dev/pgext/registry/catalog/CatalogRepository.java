package dev.pgext.registry.catalog;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtFile;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.problem.RegistryException;

/**
 * The catalog's read queries: the listing (from {@code catalog_entry}, which shows each
 * extension's current release), one extension's versions, release builds with their
 * files, and which scopes hold a file.
 */
@Repository
class CatalogRepository {

	private final JdbcClient jdbc;

	CatalogRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * One page and the number of all matches.
	 *
	 * @param total matches on all pages
	 * @param items this page
	 * @param <T> the item type
	 */
	record Found<T>(long total, List<T> items) {
	}

	Found<CatalogController.ExtensionSummary> list(String tenantScope, Integer pg, String tag, int page, int size) {
		// an extension every release of which is yanked is not listed
		StringBuilder where = new StringBuilder(" where scope in ('', :tenant) and not exists (select 1 from release r "
				+ "where r.scope = catalog_entry.scope and r.distribution = catalog_entry.distribution "
				+ "and r.version = catalog_entry.version and r.yanked_at is not null)");
		Map<String, Object> params = new HashMap<>();
		params.put("tenant", tenantScope);
		if (pg != null) {
			where.append(" and :pg = any(pg_majors)");
			params.put("pg", pg);
		}
		if (tag != null) {
			where.append(" and :tag = any(tags)");
			params.put("tag", tag);
		}
		long total = this.jdbc.sql("select count(*) from catalog_entry" + where)
			.params(params)
			.query(Long.class)
			.single();
		List<CatalogController.ExtensionSummary> items = this.jdbc
			.sql("select scope, name, distribution, version, abstract, tags, pg_majors, updated_at from catalog_entry"
					+ where + " order by name, scope limit :limit offset :offset")
			.params(params)
			.param("limit", size)
			.param("offset", (long) page * size)
			.query((rs, n) -> new CatalogController.ExtensionSummary(rs.getString(2), Scopes.tenantOf(rs.getString(1)),
					rs.getString(3), rs.getString(4), rs.getString(5), strings(rs.getArray(6)), ints(rs.getArray(7)),
					rs.getTimestamp(8).toInstant()))
			.list();
		return new Found<>(total, items);
	}

	CatalogController.ExtensionSummary summary(String scope, String name) {
		return this.jdbc
			.sql("select scope, name, distribution, version, abstract, tags, pg_majors, updated_at from catalog_entry "
					+ "where scope = ? and name = ?")
			.params(scope, name)
			.query((rs, n) -> new CatalogController.ExtensionSummary(rs.getString(2), Scopes.tenantOf(rs.getString(1)),
					rs.getString(3), rs.getString(4), rs.getString(5), strings(rs.getArray(6)), ints(rs.getArray(7)),
					rs.getTimestamp(8).toInstant()))
			.single();
	}

	/** The deprecation of a distribution, if it is deprecated. */
	Optional<CatalogController.Deprecation> deprecation(String scope, String distribution) {
		return this.jdbc
			.sql("select deprecated_at, deprecation_reason, successor from distribution "
					+ "where scope = ? and name = ? and deprecated_at is not null")
			.params(scope, distribution)
			.query((rs, n) -> new CatalogController.Deprecation(rs.getTimestamp(1).toInstant(), rs.getString(2),
					rs.getString(3)))
			.optional();
	}

	/** Every release of an extension, newest first. */
	List<CatalogController.VersionSummary> versions(String scope, String name) {
		return this.jdbc.sql(
				"select r.version, r.distribution, array_agg(distinct e.pg_major order by e.pg_major), r.published_at, "
						+ "r.yanked_at, r.yank_reason from release r join release_extension e on e.release_id = r.id "
						+ "where e.scope = ? and e.name = ? group by r.id order by r.published_at desc, r.id desc")
			.params(scope, name)
			.query((rs, n) -> new CatalogController.VersionSummary(rs.getString(1), rs.getString(2),
					ints(rs.getArray(3)), rs.getTimestamp(4).toInstant(),
					(rs.getTimestamp(5) != null) ? rs.getTimestamp(5).toInstant() : null, rs.getString(6)))
			.list();
	}

	/**
	 * Every extension build of the releases matching {@code condition} (on {@code e} and
	 * {@code r}).
	 */
	List<CatalogController.ExtensionBuild> builds(String condition, Object... params) {
		record Row(long id, CatalogController.ExtensionBuild build) {
		}
		List<Row> rows = this.jdbc
			.sql("select e.id, e.name, r.version, r.scope, r.distribution, e.pg_major, e.default_version, e.control, "
					+ "e.libraries, e.requires, e.preload, e.trusted, e.superuser, e.platform from release_extension e "
					+ "join release r on r.id = e.release_id where " + condition
					+ " order by e.name, e.pg_major, e.platform")
			.params(params)
			.query((rs, n) -> new Row(rs.getLong(1),
					new CatalogController.ExtensionBuild(rs.getString(2), rs.getString(3),
							Scopes.tenantOf(rs.getString(4)), rs.getString(5), rs.getInt(6), rs.getString(7),
							rs.getString(8), strings(rs.getArray(9)), strings(rs.getArray(10)), rs.getString(11),
							rs.getBoolean(12), rs.getBoolean(13), List.of(), rs.getString(14))))
			.list();
		List<CatalogController.ExtensionBuild> builds = new ArrayList<>();
		for (Row row : rows) {
			List<ExtFile> files = this.jdbc
				.sql("select path, sha256, size from release_file where extension_id = ? order by path")
				.param(row.id())
				.query((rs, n) -> new ExtFile(rs.getString(1), new Sha256Digest(rs.getString(2)), rs.getLong(3)))
				.list();
			CatalogController.ExtensionBuild b = row.build();
			builds.add(new CatalogController.ExtensionBuild(b.name(), b.version(), b.tenant(), b.distribution(),
					b.pgMajor(), b.defaultVersion(), b.control(), b.libraries(), b.requires(), b.preload(), b.trusted(),
					b.superuser(), files, b.platform()));
		}
		return builds;
	}

	/**
	 * A release's SBOM.
	 *
	 * @param content its exact bytes, {@code null} for a release published before SBOMs
	 * @param publishedAt when the release was published
	 */
	record ReleaseSbom(byte[] content, Instant publishedAt) {
	}

	/** The SBOM of a release; empty when there is no such release. */
	Optional<ReleaseSbom> releaseSbom(String scope, String distribution, String version) {
		return this.jdbc
			.sql("select sbom, published_at from release where scope = ? and distribution = ? and version = ?")
			.params(scope, distribution, version)
			.query((rs, n) -> new ReleaseSbom(
					(rs.getString(1) != null) ? rs.getString(1).getBytes(StandardCharsets.UTF_8) : null,
					rs.getTimestamp(2).toInstant()))
			.optional();
	}

	/** The stored scopes of the releases that hold a file with {@code digest}. */
	List<String> scopesHolding(Sha256Digest digest) {
		return this.jdbc
			.sql("select distinct e.scope from release_file f join release_extension e on e.id = f.extension_id "
					+ "where f.sha256 = ?")
			.param(digest.hex())
			.query(String.class)
			.list();
	}

	long size(Sha256Digest digest) {
		return this.jdbc.sql("select size from release_file where sha256 = ? limit 1")
			.param(digest.hex())
			.query(Long.class)
			.optional()
			.orElseThrow(() -> RegistryException.notFound("no published file has sha256 " + digest.hex()));
	}

	/**
	 * The stored scopes among {@code ''} and {@code tenantScope} that list {@code name},
	 * tenant first.
	 */
	List<String> scopesListing(String name, String tenantScope) {
		return this.jdbc.sql("select scope from catalog_entry where name = ? and scope in ('', ?) order by scope desc")
			.params(name, tenantScope)
			.query(String.class)
			.list();
	}

	static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

	static List<Integer> ints(Array array) throws SQLException {
		return (array != null) ? List.of((Integer[]) array.getArray()) : List.of();
	}

}
