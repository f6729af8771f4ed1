package dev.pgext.registry.search;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.pgext.registry.RegistryIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounds of {@link SearchSql} on a catalog larger than them: more hits, and more
 * names starting with the query, than are counted and ranked, against the real database.
 * The entries live in a tenant scope of their own and use words no other test uses.
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
		// three names starting with "quokka" whose abstract does not have the word
		this.jdbc.sql("""
				insert into catalog_entry (scope, name, distribution, version, abstract, description, tags, pg_majors,
				    document)
				select :scope, n, n, '1.0', 'Pouches', 'Nothing else.', '{}', '{17}',
				    catalog_document(n, n, n, 'Pouches', '{}', 'Nothing else.')
				from (values ('quokka_pouch'), ('Quokka_Tail'), ('quokkas_den')) v(n)
				""").param("scope", TENANT).update();
	}

	@Test
	void aWordOfMoreEntriesThanAreCountedGivesTheBoundAsAnInexactTotal() {
		SearchRepository.Found found = this.repository.search("quokka", TENANT, null, null, 0, 20);
		assertThat(found.total()).isEqualTo(SearchSql.RANKED);
		assertThat(found.exact()).isFalse();
		assertThat(found.hits()).hasSize(20);
	}

	@Test
	void aDeeperPageCountsUpToItsEnd() {
		SearchRepository.Found found = this.repository.search("quokka", TENANT, null, null, 4, 100);
		assertThat(found.total()).isEqualTo(500);
		assertThat(found.exact()).isFalse();
		assertThat(found.hits()).hasSize(100);
	}

	@Test
	void aPagePastTheDeepestHitIsEmptyWithTheCountOfHitsServed() {
		SearchRepository.Found found = this.repository.search("quokka", TENANT, null, null, 20, 100);
		assertThat(found.hits()).isEmpty();
		assertThat(found.total()).isEqualTo(SearchSql.CANDIDATES);
		assertThat(found.exact()).isFalse();
	}

	@Test
	void theExactNameThenTheNamesStartingWithTheQueryComeFirstAmongMoreHitsThanAreRanked() {
		List<String> names = names(this.repository.search("quokka", TENANT, null, null, 0, 20));
		assertThat(names.subList(0, 4)).first().isEqualTo("quokka");
		assertThat(names.subList(1, 4)).containsExactlyInAnyOrder("quokka_pouch", "Quokka_Tail", "quokkas_den");
		assertThat(names.subList(4, 20)).allMatch((name) -> name.startsWith("marsupial_"));
	}

	@Test
	void moreNamesStartingWithTheQueryThanAreRankedFillThePagesWithoutRepeats() {
		SearchRepository.Found first = this.repository.search("marsupial", TENANT, null, null, 0, 100);
		List<String> second = names(this.repository.search("marsupial", TENANT, null, null, 1, 100));
		assertThat(first.total()).isEqualTo(SearchSql.RANKED);
		assertThat(first.exact()).isFalse();
		assertThat(names(first)).hasSize(100).allMatch((name) -> name.startsWith("marsupial_"));
		assertThat(second).hasSize(100)
			.allMatch((name) -> name.startsWith("marsupial_"))
			.doesNotContainAnyElementsOf(names(first));
	}

	@Test
	void aQueryTooShortForAPrefixFindsTheNamesStartingWithIt() {
		SearchRepository.Found found = this.repository.search("qu", TENANT, null, null, 0, 20);
		assertThat(names(found)).containsExactlyInAnyOrder("quokka", "quokka_pouch", "Quokka_Tail", "quokkas_den");
		assertThat(found.total()).isEqualTo(4);
		assertThat(found.exact()).isTrue();
	}

	@Test
	void aPagePastTheLastCountsTheNamesStartingWithTheQueryToo() {
		SearchRepository.Found found = this.repository.search("qu", TENANT, null, null, 3, 20);
		assertThat(found.hits()).isEmpty();
		assertThat(found.total()).isEqualTo(4);
		assertThat(found.exact()).isTrue();
	}

	@Test
	void theLastWordMatchesAsAPrefixFromThreeCharacters() {
		assertThat(names(this.repository.search("tail quok", TENANT, null, null, 0, 20)))
			.containsExactly("Quokka_Tail");
	}

	@Test
	void aNameStartingWithTheQueryIsFoundWhateverItsCase() {
		assertThat(names(this.repository.search("QUOKKA_T", TENANT, null, null, 0, 20))).first()
			.isEqualTo("Quokka_Tail");
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
		assertThat(names).hasSize(100).allMatch((name) -> !name.startsWith("marsupial_") || number(name) % 3 != 0);
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
