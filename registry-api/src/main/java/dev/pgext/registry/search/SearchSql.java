package dev.pgext.registry.search;

import java.util.Locale;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL behind {@code GET /api/v1/search}, public so that the search benchmark can
 * {@code EXPLAIN} exactly what the endpoint runs.
 * <p>
 * The text-search query is built once (an InitPlan), so the GIN indexes serve the match
 * and the plan does not depend on the words searched. The last word also matches as a
 * prefix when it has at least {@link #PREFIX} letters or digits. A request reads and
 * ranks at most {@link #ranked ranked} + 1 hits, the end of the requested page or
 * {@link #RANKED}, whichever is further (never more than {@link #CANDIDATES}), taken in
 * this order, each part only as far as the ones before leave room:
 * <ol>
 * <li>the names equal to or starting with the query, in the byte order of the
 * {@code lower(name) text_pattern_ops} index (V61), which the scan follows and stops at
 * the bound: the exact name is the first of them. They are hits whatever their text (so
 * {@code pg} finds {@code pgcrypto}). Extension names are ASCII, so the byte-wise range
 * {@code [q, q || U+FFFF)} is exactly the names starting with {@code q}; a range rather
 * than {@code LIKE} so that a generic plan of the prepared statement uses the index
 * too;</li>
 * <li>the other hits whose name, distribution, abstract or tags match (the {@code title}
 * column, V71, with its own GIN index), their match of the whole document checked row by
 * row with {@code ts_match_vq} (the function behind {@code @@}, which the planner does
 * not turn into a second bitmap that would read every match of the word first; the
 * document's match differs from the title's only for a negated word, {@code -word}, found
 * in the description);</li>
 * <li>any other hit of the whole document (its own GIN index).</li>
 * </ol>
 * Only that set is ranked and paged, and it is also the count: when it holds more than
 * the bound, {@code total} is the bound and not exact ("at least"). So a query costs
 * about the same whether it matches ten or a hundred thousand extensions, apart from the
 * building of a GIN bitmap, which reads every index entry of the words searched (a common
 * word in a large catalog). Extensions whose current release is yanked are left out in
 * each part, so the count holds only hits that can be shown. The {@code pg} and
 * {@code tag} filters are array containment, which the GIN indexes on {@code pg_majors}
 * and {@code tags} can serve.
 */
public final class SearchSql {

	/** The deepest hit a page can reach: pages past it are empty. */
	public static final int CANDIDATES = 1000;

	/** How many hits are read, counted and ranked at least (more for a deeper page). */
	public static final int RANKED = 200;

	/**
	 * How many letters or digits the last word needs to match as a prefix: a shorter one
	 * ({@code tr} of {@code pg_tr}) would have the GIN indexes read every entry of every
	 * word it starts; names starting with the query are found apart from that.
	 */
	public static final int PREFIX = 3;

	private static final String QUERY = """
			with q as (select websearch_to_tsquery('english', :q) || websearch_to_tsquery('simple', :q)
			    || case when numnode(plainto_tsquery('simple', :q)) > 0 and :prefix
			            then to_tsquery('simple', plainto_tsquery('simple', :q)::text || ':*')
			            else plainto_tsquery('simple', :q) end as ts)
			""";

	private static final String LIVE = """
			 and not exists (select 1 from release r where r.scope = c.scope
			      and r.distribution = c.distribution and r.version = c.version and r.yanked_at is not null)
			""";

	/** Names equal to or starting with the query (the name index's byte order). */
	private static final String NAMED = "lower(c.name) ~>=~ :lower and lower(c.name) ~<~ :lowerBound";

	private SearchSql() {
	}

	/**
	 * The page query: columns scope, name, distribution, version, abstract, tags,
	 * pg_majors, rank, and the number of hits read, at most {@link #ranked ranked} + 1.
	 */
	public static String statement(boolean byPg, boolean byTag) {
		String filter = filter(byPg, byTag);
		return QUERY + """
				, named as (select c.scope, c.name from catalog_entry c
				    where %1$s and c.scope in ('', :tenant)
				""".formatted(NAMED) + filter + LIVE + """
				    order by lower(c.name) using ~<~ limit :ranked + 1),
				strong as (select c.scope, c.name from catalog_entry c
				    where c.scope in ('', :tenant) and c.title @@ (select ts from q)
				      and ts_match_vq(c.document, (select ts from q)) and not (%1$s)
				""".formatted(NAMED) + filter + LIVE
				+ """
						    limit greatest(0, :ranked + 1 - (select count(*) from named))),
						other as (select c.scope, c.name from catalog_entry c
						    where c.scope in ('', :tenant) and c.document @@ (select ts from q)
						      and (c.scope, c.name) not in (select scope, name from named union all select scope, name from strong)
						"""
				+ filter + LIVE
				+ """
						    limit greatest(0, :ranked + 1 - (select count(*) from named) - (select count(*) from strong))),
						pool as (select scope, name from named union all select scope, name from strong
						    union all select scope, name from other)
						select c.scope, c.name, c.distribution, c.version, c.abstract, c.tags, c.pg_majors,
						    ts_rank(c.document, (select ts from q)) as rank, (select count(*) from pool) as hits
						from catalog_entry c
						where (c.scope, c.name) in (select scope, name from pool)
						order by lower(c.name) = :lower desc, (%1$s) desc, rank desc, c.name
						limit :limit offset :offset
						"""
					.formatted(NAMED);
	}

	/**
	 * The number of hits up to {@link #ranked ranked} + 1, for a page past the last one
	 * (the same number the page query gives).
	 */
	public static String count(boolean byPg, boolean byTag) {
		String filter = filter(byPg, byTag);
		return QUERY + """
				select least(:ranked + 1,
				    (select count(*) from (select 1 from catalog_entry c where %1$s and c.scope in ('', :tenant)
				""".formatted(NAMED) + filter + LIVE + """
				        limit :ranked + 1) named)
				    + (select count(*) from (select 1 from catalog_entry c
				        where c.scope in ('', :tenant) and c.document @@ (select ts from q) and not (%1$s)
				""".formatted(NAMED) + filter + LIVE + """
				        limit :ranked + 1) other))
				""";
	}

	/**
	 * How many hits a request for {@code page} of {@code size} reads, counts and ranks
	 * (plus one, to know whether there are more): {@link #RANKED} or up to the end of the
	 * page, at most {@link #CANDIDATES}.
	 */
	public static int ranked(int page, int size) {
		return (int) Math.min(CANDIDATES, Math.max(RANKED, ((long) page + 1) * size));
	}

	/** Binds the parameters of {@link #statement} or {@link #count}. */
	public static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement, String q, String tenantScope,
			Integer pg, String tag, int page, int size) {
		String lower = q.toLowerCase(Locale.ROOT);
		JdbcClient.StatementSpec bound = statement.param("q", q)
			.param("lower", lower)
			.param("prefix", lastWordLength(q) >= PREFIX)
			// the names starting with the query as a range the name index serves with a
			// generic plan too (a LIKE pattern from a parameter is only turned into a
			// range
			// in a custom plan)
			.param("lowerBound", lower + "\uffff")
			.param("tenant", tenantScope)
			.param("ranked", ranked(page, size))
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

	/**
	 * The number of letters and digits at the end of {@code q}: the last word, which
	 * matches as a prefix when it has at least {@link #PREFIX}.
	 */
	static int lastWordLength(String q) {
		int end = q.length();
		int start = end;
		while (start > 0 && Character.isLetterOrDigit(q.codePointBefore(start))) {
			start -= Character.charCount(q.codePointBefore(start));
		}
		return q.codePointCount(start, end);
	}

	private static String filter(boolean byPg, boolean byTag) {
		return (byPg ? " and c.pg_majors @> array[cast(:pg as int)]" : "")
				+ (byTag ? " and c.tags @> array[cast(:tag as text)]" : "");
	}

}
