package dev.pgext.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.DocumentLinters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Prometheus operator sees at {@code /actuator/prometheus}: every registry metric says
 * what it measures, in base units named once, and promtool has nothing to criticise but the
 * names Micrometer's own binders choose.
 */
class MetricsExpositionIntegrationTests extends RegistryIntegrationTest {

	private static final Pattern HELP = Pattern.compile("^# HELP (pgext_\\S+) ?(.*)$", Pattern.MULTILINE);

	/**
	 * Names Micrometer's JVM and process binders give, which dashboards know them by: renaming
	 * them (and converting their values to seconds) is a change for every operator, left to
	 * Micrometer. Any other finding fails.
	 */
	private static final Set<String> MICROMETER_BINDER_NAMES = Set.of(
			"jvm_compilation_time_ms_total metric names should not contain abbreviated units",
			"process_cpu_time_ns_total metric names should not contain abbreviated units",
			"system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix");

	private static final Pattern DOUBLED_UNIT = Pattern
		.compile("_(seconds|bytes|requests|ratio|percent|operations)_\\1(_|$)");

	@Test
	void everyRegistryMetricDescribesItselfAndNamesItsUnitOnce() {
		Map<String, String> help = registryMetricHelp(scrapeAfterUse());
		assertThat(help).containsKeys("pgext_registry_publish_seconds", "pgext_registry_search_seconds",
				"pgext_registry_manifest_requests_total");
		assertThat(help).allSatisfy((name, text) -> {
			assertThat(text).as("HELP of %s", name).isNotBlank();
			assertThat(name).as("unit of %s", name).doesNotContainPattern(DOUBLED_UNIT);
		});
	}

	@Test
	void promtoolFindsNoProblemInTheScrapeButMicrometersOwnNames() {
		String scrape = scrapeAfterUse();
		DocumentLinters.Outcome check = DocumentLinters.promtoolCheckMetrics(scrape);
		// exit 3 is "lint problems found", anything else but 0 is an unreadable scrape
		assertThat(check.exitCode()).as(check.output()).isIn(0, 3);
		List<String> problems = check.output().lines().filter((line) -> !line.isBlank()).toList();
		assertThat(problems).as(check.output()).isSubsetOf(MICROMETER_BINDER_NAMES);
		assertThat(check.exitCode() == 0).isEqualTo(problems.isEmpty());
	}

	private String scrapeAfterUse() {
		// each metric appears once it has been used
		api().get("/api/v1/search?q=anything", null);
		api().get("/api/v1/compute-manifests/15", null);
		api().publish(null, null, "{}", Map.of());
		RegistryClient.Response scrape = api().get("/actuator/prometheus", ADMIN_TOKEN);
		assertThat(scrape.status()).isEqualTo(200);
		return scrape.text();
	}

	private static Map<String, String> registryMetricHelp(String scrape) {
		Map<String, String> help = new LinkedHashMap<>();
		Matcher matcher = HELP.matcher(scrape);
		while (matcher.find()) {
			help.put(matcher.group(1), matcher.group(2));
		}
		return help;
	}

}
