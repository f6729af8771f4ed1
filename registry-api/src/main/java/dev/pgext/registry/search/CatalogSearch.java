package dev.pgext.registry.search;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.pgext.registry.caller.Caller;

/**
 * The search of {@code GET /api/v1/search} for the web pages: the same query and ranking
 * ({@link SearchRepository}), over the public scope and the caller's tenant.
 */
@Component
public class CatalogSearch {

	private final SearchRepository repository;

	CatalogSearch(SearchRepository repository) {
		this.repository = repository;
	}

	/**
	 * One hit.
	 *
	 * @param name the extension name
	 * @param tenant the tenant of a private extension, or {@code null}
	 * @param distribution the distribution that provides it
	 * @param version its current release
	 * @param summary one-line summary
	 * @param tags tags
	 * @param pgMajors Postgres majors it is available for
	 */
	public record Hit(String name, String tenant, String distribution, String version, String summary,
			List<String> tags, List<Integer> pgMajors) {
	}

	/**
	 * One page of hits.
	 *
	 * @param total hits on all pages, counted up to the search's bound
	 * @param totalExact whether {@code total} is exact; {@code false}: there are more
	 * hits than {@code total}
	 * @param hits this page, best first
	 */
	public record Results(long total, boolean totalExact, List<Hit> hits) {
	}

	/**
	 * One page of the hits of {@code query} (already checked as text, 1 to 200
	 * characters).
	 */
	public Results search(Caller caller, String query, int page, int size) {
		String tenant = (caller.tenant() != null) ? caller.tenant().value() : "";
		SearchRepository.Found found = this.repository.search(query.strip(), tenant, null, null, page, size);
		return new Results(found.total(), found.exact(),
				found.hits()
					.stream()
					.map((h) -> new Hit(h.name(), h.tenant(), h.distribution(), h.version(), h.summary(), h.tags(),
							h.pgMajors()))
					.toList());
	}

	/**
	 * Whether {@code value} is text the catalog can compare: no control character, no
	 * lone surrogate.
	 */
	public static boolean isText(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (Character.isISOControl(c)) {
				return false;
			}
			if (Character.isHighSurrogate(c) && i + 1 < value.length()
					&& Character.isLowSurrogate(value.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return false;
			}
		}
		return true;
	}

}
