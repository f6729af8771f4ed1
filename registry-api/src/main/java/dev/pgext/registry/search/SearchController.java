package dev.pgext.registry.search;

import java.sql.Array;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * {@code GET /api/v1/search?q=}: PostgreSQL full-text search over extension names, the
 * distributions and sibling extensions that provide them, abstracts, tags and
 * descriptions ({@code catalog_document}, GIN-indexed). The last word also matches as a
 * prefix, so {@code pg_tr} finds {@code pg_trgm}. An exact name match comes first, then
 * names starting with the query, then text-search rank.
 */
@RestController
class SearchController {

	private final JdbcClient jdbc;

	private final MeterRegistry meters;

	SearchController(JdbcClient jdbc, MeterRegistry meters) {
		this.jdbc = jdbc;
		this.meters = meters;
	}

	/**
	 * One search hit.
	 *
	 * @param name the extension name
	 * @param tenant the tenant of a private extension, or {@code null}
	 * @param distribution the distribution that provides it
	 * @param version its newest release
	 * @param summary one-line summary
	 * @param tags tags
	 * @param pgMajors Postgres majors it is available for
	 * @param rank text-search rank (higher is better)
	 */
	record Hit(String name, String tenant, String distribution, String version,
			@JsonProperty("abstract") String summary, List<String> tags,
			@JsonProperty("pg_majors") List<Integer> pgMajors, double rank) {
	}

	/**
	 * A page of search results.
	 *
	 * @param query the query as given
	 * @param page page number, from 0
	 * @param size page size
	 * @param total hits on all pages
	 * @param hits this page's hits, best first
	 */
	record Results(String query, int page, int size, long total, List<Hit> hits) {
	}

	@Operation(summary = "Full-text search, name matches first, paged")
	@GetMapping("/api/v1/search")
	Results search(@Parameter(hidden = true) Caller caller, @RequestParam("q") String query,
			@RequestParam(required = false) String tenant, @RequestParam(name = "pg", required = false) Integer pg,
			@RequestParam(required = false) String tag, @RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
		if (query.isBlank() || query.length() > 200) {
			throw RegistryException.badRequest("invalid-query", "q must be 1 to 200 characters");
		}
		if (!isText(query) || (tag != null && !isText(tag))) {
			throw RegistryException.badRequest("invalid-query",
					"q and tag must be text: no control characters (such as NUL) and no unpaired surrogates");
		}
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		Timer.Sample sample = Timer.start(this.meters);
		try {
			StringBuilder filter = new StringBuilder();
			if (pg != null) {
				PgMajor.of(pg);
				filter.append(" and :pg = any(c.pg_majors)");
			}
			if (tag != null) {
				filter.append(" and :tag = any(c.tags)");
			}
			String q = query.strip();
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
				.param("tenant", Scopes.column(scope))
				.param("limit", size)
				.param("offset", (long) page * size);
			if (pg != null) {
				statement = statement.param("pg", pg);
			}
			if (tag != null) {
				statement = statement.param("tag", tag.toLowerCase(Locale.ROOT));
			}
			long[] total = { 0 };
			List<Hit> hits = statement.query((rs, n) -> {
				total[0] = rs.getLong(9);
				return new Hit(rs.getString(2), Scopes.tenantOf(rs.getString(1)), rs.getString(3), rs.getString(4),
						rs.getString(5), strings(rs.getArray(6)), ints(rs.getArray(7)), rs.getDouble(8));
			}).list();
			return new Results(query, page, size, total[0], hits);
		}
		finally {
			sample.stop(this.meters.timer("pgext.registry.search"));
		}
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

	/** Whether {@code value} is text the catalog can compare: no control character, no lone surrogate. */
	private static boolean isText(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (Character.isISOControl(c)) {
				return false;
			}
			if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return false;
			}
		}
		return true;
	}

}
