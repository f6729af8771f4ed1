package dev.pgext.registry.search;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parts of {@link SearchSql} computed in Java.
 */
class SearchSqlTests {

	@Test
	void theLastWordIsTheLettersAndDigitsAtTheEnd() {
		assertThat(SearchSql.lastWordLength("pg_tr")).isEqualTo(2);
		assertThat(SearchSql.lastWordLength("trigram simil")).isEqualTo(5);
		assertThat(SearchSql.lastWordLength("hstore")).isEqualTo(6);
		assertThat(SearchSql.lastWordLength("pg ünï")).isEqualTo(3);
		assertThat(SearchSql.lastWordLength("key 😀x")).isEqualTo(1);
	}

	@Test
	void aQueryEndingInPunctuationHasNoLastWord() {
		assertThat(SearchSql.lastWordLength("c++")).isZero();
		assertThat(SearchSql.lastWordLength("geo ")).isZero();
		assertThat(SearchSql.lastWordLength("")).isZero();
	}

	@Test
	void theRankedBoundIsTheDefaultOrTheEndOfThePageUpToTheDeepestHit() {
		assertThat(SearchSql.ranked(0, 20)).isEqualTo(SearchSql.RANKED);
		assertThat(SearchSql.ranked(14, 20)).isEqualTo(300);
		assertThat(SearchSql.ranked(Integer.MAX_VALUE, 100)).isEqualTo(SearchSql.CANDIDATES);
	}

}
