package dev.pgext.registry.search;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * {@code GET /api/v1/search?q=}: PostgreSQL full-text search over extension names, the
 * distributions and sibling extensions that provide them, abstracts, tags and
 * descriptions ({@code catalog_document}, GIN-indexed). The last word also matches as a
 * prefix when it has at least three letters or digits, and the names starting with the
 * query are hits, so {@code pg_tr} finds {@code pg_trgm}. An exact name match comes
 * first, then names starting with the query, then text-search rank.
 */
@Tag(name = "search", description = "Full-text search over extensions")
@RestController
class SearchController {

	private final SearchRepository repository;

	private final MeterRegistry meters;

	SearchController(SearchRepository repository, MeterRegistry meters) {
		this.repository = repository;
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
	 * @param total hits on all pages, counted up to {@link SearchSql#RANKED} or the end
	 * of this page if that is further (at most {@link SearchSql#CANDIDATES})
	 * @param totalExact whether {@code total} is exact; {@code false}: there are more
	 * hits, which later pages show up to the {@link SearchSql#CANDIDATES}th
	 * @param hits this page's hits, best first
	 */
	record Results(String query, int page, int size, long total, @JsonProperty("total_exact") boolean totalExact,
			List<Hit> hits) {
	}

	@Operation(summary = "Full-text search, name matches first, paged")
	@ProblemResponses(HttpStatus.FORBIDDEN)
	@GetMapping("/api/v1/search")
	Results search(@Parameter(hidden = true) Caller caller, @RequestParam("q") String query,
			@RequestParam(required = false) String tenant, @RequestParam(name = "pg", required = false) Integer pg,
			@RequestParam(required = false) String tag, @RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
		if (query.isBlank() || query.length() > 200) {
			throw RegistryException.badRequest("invalid-query", "q must be 1 to 200 characters");
		}
		if (!CatalogSearch.isText(query) || (tag != null && !CatalogSearch.isText(tag))) {
			throw RegistryException.badRequest("invalid-query",
					"q and tag must be text: no control characters (such as NUL) and no unpaired surrogates");
		}
		Scope scope = Scope.parse(tenant);
		caller.requireRead(scope);
		Timer.Sample sample = Timer.start(this.meters);
		try {
			if (pg != null) {
				PgMajor.of(pg);
			}
			SearchRepository.Found found = this.repository.search(query.strip(), Scopes.column(scope), pg,
					(tag != null) ? tag.toLowerCase(Locale.ROOT) : null, page, size);
			return new Results(query, page, size, found.total(), found.exact(), found.hits());
		}
		finally {
			sample.stop(Timer.builder("pgext.registry.search")
				.description("Time to answer a search request")
				.register(this.meters));
		}
	}

}
