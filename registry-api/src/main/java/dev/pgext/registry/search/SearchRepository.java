package dev.pgext.registry.search;

import java.sql.Array;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.pgext.registry.Scopes;

/**
 * The full-text query over {@code catalog_entry}: web-search syntax in English and simple
 * configurations plus a prefix match of the last word; an exact name first, then names
 * starting with the query, then rank. Extensions every release of which is yanked are left
 * out.
 */
@Repository
class SearchRepository {

	private final JdbcClient jdbc;

	SearchRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * One page of hits and the number of all hits.
	 *
	 * @param total hits on all pages
	 * @param hits this page, best first
	 */
	record Found(long total, List<SearchController.Hit> hits) {
	}

	Found search(String q, String tenantScope, Integer pg, String tag, int page, int size) {
		StringBuilder filter = new StringBuilder();
		if (pg != null) {
			filter.append(" and :pg = any(c.pg_majors)");
		}
		if (tag != null) {
			filter.append(" and :tag = any(c.tags)");
		}
		var statement = this.jdbc.sql("""
				with plain as (select plainto_tsquery('simple', :q) as p),
				q as (select websearch_to_tsquery('english', :q) || websearch_to_tsquery('simple', :q)
				    || case when numnode(plain.p) > 0 then to_tsquery('simple', plain.p::text || ':*')
				            else plain.p end as ts from plain)
				select c.scope, c.name, c.distribution, c.version, c.abstract, c.tags, c.pg_majors,
				    ts_rank(c.document, q.ts) as rank, count(*) over () as total
				from catalog_entry c, q
				where c.scope in ('', :tenant) and c.document @@ q.ts
				  and not exists (select 1 from release r where r.scope = c.scope
				      and r.distribution = c.distribution and r.version = c.version and r.yanked_at is not null)
				""" + filter + """
				order by lower(c.name) = :lower desc, c.name ilike :prefix desc, rank desc, c.name
				limit :limit offset :offset
				""")
			.param("q", q)
			.param("lower", q.toLowerCase(Locale.ROOT))
			.param("prefix", like(q) + "%")
			.param("tenant", tenantScope)
			.param("limit", size)
			.param("offset", (long) page * size);
		if (pg != null) {
			statement = statement.param("pg", pg);
		}
		if (tag != null) {
			statement = statement.param("tag", tag);
		}
		long[] total = { 0 };
		List<SearchController.Hit> hits = statement.query((rs, n) -> {
			total[0] = rs.getLong(9);
			return new SearchController.Hit(rs.getString(2), Scopes.tenantOf(rs.getString(1)), rs.getString(3),
					rs.getString(4), rs.getString(5), strings(rs.getArray(6)), ints(rs.getArray(7)), rs.getDouble(8));
		}).list();
		return new Found(total[0], hits);
	}

	private static String like(String text) {
		return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
	}

	private static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

	private static List<Integer> ints(Array array) throws SQLException {
		return (array != null) ? List.of((Integer[]) array.getArray()) : List.of();
	}

}
