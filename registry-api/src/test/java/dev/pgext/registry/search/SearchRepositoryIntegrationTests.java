package dev.pgext.registry.search;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.pgext.registry.RegistryIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounds of {@link SearchSql} on a catalog larger than them: more hits than are
 * counted or ranked, against the real database. The entries live in a tenant scope of
 * their own and use words no other test uses.
 */
class SearchRepositoryIntegrationTests extends RegistryIntegrationTest {

	private static final String TENANT = "search-bounds";

	@Autowired
	private SearchRepository repository;

	@BeforeEach
	void catalogWithMoreHitsThanAreCounted() {
		if (this.jdbc.sql("select count(*) from catalog_entry where scope = :scope")
			.param("scope", TENANT)
			.query(Long.class)
			.single() > 0) {
			return;
		}
		// 1,100 entries whose abstract has "quokkas" (English lexeme "quokka"); every
		// third
		// description has "wombat", which is in their document but not in their title
		this.jdbc.sql("""
				insert into catalog_entry (scope, name, distribution, version, abstract, description, tags, pg_majors,
				    document)
				select :scope, n, n, '1.0', a, d, '{}', '{17}', catalog_document(n, n, n, a, '{}', d)
				from generate_series(1, 1100) i,
				    lateral (select 'marsupial_' || i as n, 'A quokkas extension' as a,
				        case when i % 3 = 0 then 'Counts wombat burrows.' else 'Counts nothing.' end as d) g
				""").param("scope", TENANT).update();
		this.jdbc.sql("""
				insert into catalog_entry (scope, name, distribution, version, abstract, description, tags, pg_majors,
				    document)
				values (:scope, 'quokka', 'quokka', '1.0', 'The original', 'Nothing else.', '{}', '{17}',
				    catalog_document('quokka', 'quokka', 'quokka', 'The original', '{}', 'Nothing else.'))
				""").param("scope", TENANT).update();
	}

	@Test
	void aWordOfMoreEntriesThanAreCountedGivesTheCapAsAnInexactTotal() {
		SearchRepository.Found found = this.repository.search("quokka", TENANT, null, null, 0, 20);
		assertThat(found.total()).isEqualTo(SearchSql.CANDIDATES);
		assertThat(found.exact()).isFalse();
		assertThat(found.hits()).hasSize(20);
	}

	@Test
	void theExactNameComesFirstAmongMoreHitsThanAreRanked() {
		SearchRepository.Found found = this.repository.search("quokka", TENANT, null, null, 0, 20);
		assertThat(found.hits().get(0).name()).isEqualTo("quokka");
		assertThat(found.hits().stream().skip(1).map(SearchController.Hit::name))
			.allMatch((name) -> name.startsWith("marsupial_"));
	}

	@Test
	void aNegatedWordOfTheDescriptionLeavesThoseEntriesOutOfTheStrongestHits() {
		// the title matches "quokkas -wombat" for every entry, the whole document only
		// where the description has no wombat
		List<String> names = this.repository.search("quokkas -wombat", TENANT, null, null, 0, 100)
			.hits()
			.stream()
			.map(SearchController.Hit::name)
			.toList();
		assertThat(names).hasSize(100).allMatch((name) -> name.equals("quokka") || number(name) % 3 != 0);
	}

	@Test
	void pagesFollowEachOtherWithoutRepeatsUpToTheRankedSet() {
		List<String> first = names(this.repository.search("quokka", TENANT, null, null, 0, 100));
		List<String> second = names(this.repository.search("quokka", TENANT, null, null, 1, 100));
		assertThat(first).hasSize(100);
		assertThat(second).hasSize(100).doesNotContainAnyElementsOf(first);
	}

	@Test
	void anExactTotalBelowTheCap() {
		SearchRepository.Found found = this.repository.search("marsupial_1000", TENANT, null, null, 0, 20);
		assertThat(found.exact()).isTrue();
		assertThat(found.total()).isEqualTo(found.hits().size()).isPositive();
		assertThat(found.hits().get(0).name()).isEqualTo("marsupial_1000");
	}

	private static List<String> names(SearchRepository.Found found) {
		return found.hits().stream().map(SearchController.Hit::name).toList();
	}

	private static int number(String name) {
		return Integer.parseInt(name.substring(name.indexOf('_') + 1));
	}

}
