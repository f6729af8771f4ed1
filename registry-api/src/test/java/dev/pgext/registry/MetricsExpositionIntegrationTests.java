package dev.pgext.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import dev.pgext.service.metrics.SecondsTimeMeters;
import dev.pgext.testsupport.DocumentLinters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Prometheus operator sees at {@code /actuator/prometheus}: every registry metric
 * says what it measures, in base units named once, and promtool has nothing to criticise,
 * the framework's JVM, process, HTTP and Tomcat metrics included.
 */
class MetricsExpositionIntegrationTests extends RegistryIntegrationTest {

	private static final Pattern HELP = Pattern.compile("^# HELP (pgext_\\S+) ?(.*)$", Pattern.MULTILINE);

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

	@Autowired
	private ApplicationContext context;

	@Test
	void theCompilationAndProcessCpuTimesAreRegisteredOnceInSeconds() {
		// Micrometer's milliseconds binder is not there beside the seconds one: one
		// registration of the meter name, nothing for Micrometer to warn about
		assertThat(this.context.getBeansOfType(JvmCompilationMetrics.class).values()).singleElement()
			.isInstanceOf(SecondsTimeMeters.Compilation.class);
		assertThat(this.context.getBeansOfType(ProcessorMetrics.class).values()).singleElement()
			.isInstanceOf(SecondsTimeMeters.Processor.class);
		assertThat(scrapeAfterUse()).contains("jvm_compilation_time_seconds_total{", "process_cpu_time_seconds_total ")
			.doesNotContain("jvm_compilation_time_ms", "process_cpu_time_ns");
	}

	@Test
	void promtoolFindsNoProblemInTheScrape() {
		DocumentLinters.Outcome check = DocumentLinters.promtoolCheckMetrics(scrapeAfterUse());
		assertThat(check.output().lines().filter((line) -> !line.isBlank())).as(check.output()).isEmpty();
		assertThat(check.passed()).as(check.output()).isTrue();
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
