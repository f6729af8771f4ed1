package dev.pgext.cli.find;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.model.json.DocumentJson;

import static org.assertj.core.api.Assertions.assertThat;

class SearchCommandTests {

	@Test
	void aTotalCountedOnlyUpToTheRegistrysBoundIsShownAsMoreThanIt() {
		assertThat(SearchCommand.totals(results(200, false, 20))).isEqualTo("more than 200 in all");
	}

	@Test
	void anExactTotalIsShownWhenThereAreMoreHitsThanThePageShows() {
		assertThat(SearchCommand.totals(results(57, true, 20))).isEqualTo("57 in all");
	}

	@Test
	void nothingIsAddedWhenThePageShowsEveryHit() {
		assertThat(SearchCommand.totals(results(3, true, 3))).isNull();
	}

	@Test
	void aRegistryThatDoesNotSayWhetherItsTotalIsExactIsTakenAtItsWord() {
		JsonNode older = DocumentJson.COMPACT.readTree("{\"total\":57,\"hits\":[{},{}]}");
		assertThat(SearchCommand.totals(older)).isEqualTo("57 in all");
	}

	private static JsonNode results(long total, boolean exact, int hits) {
		StringBuilder json = new StringBuilder("{\"total\":" + total + ",\"total_exact\":" + exact + ",\"hits\":[");
		for (int i = 0; i < hits; i++) {
			json.append((i > 0) ? ",{}" : "{}");
		}
		return DocumentJson.COMPACT.readTree(json.append("]}").toString());
	}

}
