package dev.pgext.registry.search;

import java.util.Locale;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL behind {@code GET /api/v1/search}, public so that the search benchmark can
 * {@code EXPLAIN} exactly what the endpoint runs.
 * <p>
 * The text-search query is built once (an InitPlan), so the GIN indexes serve the match.
 * At most {@link #CANDIDATES} + 1 hits are read from the document's index, in no
 * particular order, to count them. The hits to rank are bounded apart from that: first
 * the hits whose name, distribution, abstract or tags match (the {@code title} column,
 * V71, with its own GIN index), up to {@link #RANKED} or the end of the requested page if
 * that is further, topped up with other hits when there are fewer; and the hits whose
 * name equals or starts with the query (found through the
 * {@code lower(name) text_pattern_ops} index, V61, by a byte-wise range that a generic
 * plan of the prepared statement can use). Only that set is ranked, so a query costs
 * about the same whether it matches ten or a hundred thousand extensions. For a query
 * with more hits than are ranked, the order is that of the ranked set (the exact name and
 * the names starting with the query are always first), and {@code total} says "at least
 * {@link #CANDIDATES}" once there are more. The {@code pg} and {@code tag} filters are
 * array containment, which the GIN indexes on {@code pg_majors} and {@code tags} can
 * serve. The strongest hits are read without the yanked-release check, which is applied
 * to the ranked set only: with it, the planner hashed every title hit for the anti-join
 * before the limit applied (its estimate for two GIN conditions is one row).
 * <p>
 * The strongest hits come from the title index alone: their match of the whole document
 * (which differs from the title's only for a negated word, {@code -word}, found in the
 * description) is checked with {@code ts_match_vq}, the function behind {@code @@}, which
 * the planner does not turn into a second bitmap index scan. A bitmap over a word most
 * entries have is built whole before the limit applies, so that second scan cost as much
 * as the first one (one entry per matching extension) for the rows the limit kept.
 */
public final class SearchSql {

	/** How many full-text hits are counted at most. */
	public static final int CANDIDATES = 1000;

	/** How many hits are ranked at least (more when the requested page ends further). */
	public static final int RANKED = 200;

	private static final String QUERY = """
			with q as (select websearch_to_tsquery('english', :q) || websearch_to_tsquery('simple', :q)
			    || case when numnode(plainto_tsquery('simple', :q)) > 0
			            then to_tsquery('simple', plainto_tsquery('simple', :q)::text || ':*')
			            else plainto_tsquery('simple', :q) end as ts)
			""";

	private static final String LIVE = """
			 and not exists (select 1 from release r where r.scope = c.scope
			      and r.distribution = c.distribution and r.version = c.version and r.yanked_at is not null)
			""";

	private SearchSql() {
	}

	/**
	 * The page query: columns scope, name, distribution, version, abstract, tags,
	 * pg_majors, rank, and the number of hits up to {@link #CANDIDATES} + 1.
	 */
	public static String statement(boolean byPg, boolean byTag) {
		String filter = filter(byPg, byTag);
		return QUERY + """
				, strong as (select c.scope, c.name from catalog_entry c
				    where c.scope in ('', :tenant) and c.title @@ (select ts from q)
				      and ts_match_vq(c.document, (select ts from q))
				""" + filter + """
				    limit :ranked),
				hit as (select c.scope, c.name from catalog_entry c
				    where c.scope in ('', :tenant) and c.document @@ (select ts from q)
				""" + filter + LIVE
				+ """
						    limit :candidates + 1),
						pool as (select scope, name from strong
						    union all
						    (select scope, name from hit where (scope, name) not in (select scope, name from strong)
						     limit greatest(0, :ranked - (select count(*) from strong)))),
						named as (select c.scope, c.name from catalog_entry c
						    where lower(c.name) ~>=~ :lower and lower(c.name) ~<~ :lowerBound and lower(c.name) like :lowerPrefix
						      and c.scope in ('', :tenant) and c.document @@ (select ts from q)
						"""
				+ filter + LIVE + """
						    order by lower(c.name) = :lower desc, c.name limit :candidates)
						select c.scope, c.name, c.distribution, c.version, c.abstract, c.tags, c.pg_majors,
						    ts_rank(c.document, (select ts from q)) as rank, (select count(*) from hit) as total
						from catalog_entry c
						where (c.scope, c.name) in (select scope, name from pool union select scope, name from named)
						""" + LIVE + """
						order by lower(c.name) = :lower desc, c.name ilike :prefix desc, rank desc, c.name
						limit :limit offset :offset
						""";
	}

	/** The number of hits up to {@link #CANDIDATES} + 1, for a page past the last one. */
	public static String count(boolean byPg, boolean byTag) {
		return QUERY + """
				select count(*) from (select 1 from catalog_entry c
				    where c.scope in ('', :tenant) and c.document @@ (select ts from q)
				""" + filter(byPg, byTag) + LIVE + """
				    limit :candidates + 1) hit
				""";
	}

	/** Binds the parameters of {@link #statement} or {@link #count}. */
	public static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement, String q, String tenantScope,
			Integer pg, String tag, int page, int size) {
		String lower = q.toLowerCase(Locale.ROOT);
		JdbcClient.StatementSpec bound = statement.param("q", q)
			.param("lower", lower)
			.param("prefix", like(q) + "%")
			.param("lowerPrefix", like(lower) + "%")
			// the prefix as a range the name index serves with a generic plan too (a LIKE
			// pattern from a parameter is only turned into a range in a custom plan)
			.param("lowerBound", lower + "\uffff")
			.param("tenant", tenantScope)
			.param("candidates", CANDIDATES)
			.param("ranked", (int) Math.min(CANDIDATES, Math.max(RANKED, ((long) page + 1) * size)))
			.param("limit", size)
			.param("offset", (long) page * size);
		if (pg != null) {
			bound = bound.param("pg", pg);
		}
		if (tag != null) {
			bound = bound.param("tag", tag);
		}
		return bound;
	}

	private static String filter(boolean byPg, boolean byTag) {
		return (byPg ? " and c.pg_majors @> array[cast(:pg as int)]" : "")
				+ (byTag ? " and c.tags @> array[cast(:tag as text)]" : "");
	}

	private static String like(String text) {
		return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
	}

}
