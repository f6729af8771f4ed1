package dev.pgext.importer;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.DocumentLinters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Prometheus operator sees at {@code /actuator/prometheus}: every importer metric
 * says what it measures, in base units named once, and promtool has nothing to criticise
 * in the whole scrape, the framework's JVM, process, HTTP and Tomcat metrics included.
 */
class MetricsExpositionIntegrationTests extends ImporterIntegrationTestSupport {

	private static final Pattern HELP = Pattern.compile("^# HELP (pgext_\\S+) ?(.*)$", Pattern.MULTILINE);

	private static final Pattern DOUBLED_UNIT = Pattern.compile("_(seconds|bytes)_(\\w+_)?\\1(_|$)");

	@Test
	void everyImporterMetricDescribesItselfAndNamesItsUnitOnce() throws Exception {
		Map<String, String> help = importerMetricHelp(scrapeAfterUse());
		assertThat(help).containsKeys("pgext_importer_imported_bytes_total", "pgext_importer_imports_running");
		assertThat(help).allSatisfy((name, text) -> {
			assertThat(text).as("HELP of %s", name).isNotBlank();
			assertThat(name).as("unit of %s", name).doesNotContainPattern(DOUBLED_UNIT);
		});
	}

	@Test
	void promtoolFindsNoProblemInTheScrape() throws Exception {
		DocumentLinters.Outcome check = DocumentLinters.promtoolCheckMetrics(scrapeAfterUse());
		assertThat(check.output().lines().filter((line) -> !line.isBlank())).as(check.output()).isEmpty();
		assertThat(check.passed()).as(check.output()).isTrue();
	}

	private String scrapeAfterUse() throws Exception {
		// the HTTP server metrics appear once a request was handled, a refused one
		// included
		assertThat(get(TENANT, 0, "not-a-timeline").statusCode()).isEqualTo(400);
		HttpResponse<String> scrape = get("/actuator/prometheus");
		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(scrape.body()).contains("http_server_requests_seconds");
		return scrape.body();
	}

	private static Map<String, String> importerMetricHelp(String scrape) {
		Map<String, String> help = new LinkedHashMap<>();
		Matcher matcher = HELP.matcher(scrape);
		while (matcher.find()) {
			help.put(matcher.group(1), matcher.group(2));
		}
		return help;
	}

}
