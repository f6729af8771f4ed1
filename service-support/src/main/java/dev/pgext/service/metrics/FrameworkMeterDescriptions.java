package dev.pgext.service.metrics;

import java.util.Map;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Gives the meters Spring MVC and Tomcat register without a description one, so that
 * every metric of the scrape says what it measures ({@code # HELP}), and names the
 * processor count gauge so that it does not end in {@code _count} (which Prometheus
 * reserves for histograms and summaries). A description a meter has is kept; pgext's own
 * meters carry theirs where they are built.
 */
public final class FrameworkMeterDescriptions implements MeterFilter {

	/**
	 * Micrometer's name of the processor count gauge; scraped as
	 * {@code system_cpu_count}.
	 */
	static final String CPU_COUNT = "system.cpu.count";

	/** What it is called instead: {@code system_cpus}. */
	static final String CPUS = "system.cpus";

	private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
			Map.entry("http.server.requests", "HTTP requests handled, by method, URI template, status and outcome"),
			Map.entry("http.server.requests.active", "HTTP requests being handled now"),
			Map.entry("http.client.requests", "HTTP requests sent, by method, URI template, status and outcome"),
			Map.entry("http.client.requests.active", "HTTP requests being sent now"),
			Map.entry("tomcat.sessions.active.current", "Tomcat sessions active now"),
			Map.entry("tomcat.sessions.active.max", "Most Tomcat sessions active at once"),
			Map.entry("tomcat.sessions.alive.max", "Longest time a Tomcat session has been alive"),
			Map.entry("tomcat.sessions.created", "Tomcat sessions created"),
			Map.entry("tomcat.sessions.expired", "Tomcat sessions expired"),
			Map.entry("tomcat.sessions.rejected", "Tomcat sessions refused because the most allowed were active"),
			Map.entry(CPUS, "The number of processors available to the Java virtual machine"));

	@Override
	public Meter.Id map(Meter.Id id) {
		Meter.Id named = CPU_COUNT.equals(id.getName()) ? id.withName(CPUS) : id;
		String description = DESCRIPTIONS.get(named.getName());
		if (description == null || (named.getDescription() != null && !named.getDescription().isBlank())) {
			return named;
		}
		return new Meter.Id(named.getName(), Tags.of(named.getTags()), named.getBaseUnit(), description,
				named.getType());
	}

}
