package dev.pgext.registry.search;

import java.sql.Array;
import java.sql.SQLException;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.pgext.registry.Scopes;

/**
 * The full-text query over {@code catalog_entry}: web-search syntax in English and simple
 * configurations plus a prefix match of the last word; an exact name first, then names
 * starting with the query, then rank. Extensions every release of which is yanked are
 * left out. The work is bounded whatever the number of hits: at most
 * {@link SearchSql#ranked} + 1 hits are read, counted and ranked, names starting with the
 * query first ({@link SearchSql}).
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
	 * @param total hits on all pages, counted up to {@link SearchSql#ranked}
	 * @param exact whether {@code total} is exact ({@code false}: there are more)
	 * @param hits this page, best first
	 */
	record Found(long total, boolean exact, List<SearchController.Hit> hits) {
	}

	Found search(String q, String tenantScope, Integer pg, String tag, int page, int size) {
		long[] total = { 0 };
		List<SearchController.Hit> hits = SearchSql
			.bind(this.jdbc.sql(SearchSql.statement(pg != null, tag != null)), q, tenantScope, pg, tag, page, size)
			.query((rs, n) -> {
				total[0] = rs.getLong(9);
				return new SearchController.Hit(rs.getString(2), Scopes.tenantOf(rs.getString(1)), rs.getString(3),
						rs.getString(4), rs.getString(5), strings(rs.getArray(6)), ints(rs.getArray(7)),
						rs.getDouble(8));
			})
			.list();
		if (hits.isEmpty() && page > 0) {
			total[0] = SearchSql
				.bind(this.jdbc.sql(SearchSql.count(pg != null, tag != null)), q, tenantScope, pg, tag, page, size)
				.query(Long.class)
				.single();
		}
		int ranked = SearchSql.ranked(page, size);
		return new Found(Math.min(total[0], ranked), total[0] <= ranked, hits);
	}

	private static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

	private static List<Integer> ints(Array array) throws SQLException {
		return (array != null) ? List.of((Integer[]) array.getArray()) : List.of();
	}

}
