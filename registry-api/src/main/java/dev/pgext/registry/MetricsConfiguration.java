package dev.pgext.registry;

import java.util.Map;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Descriptions for the meters Spring MVC and Tomcat register without one, so that every
 * metric of the scrape says what it measures ({@code # HELP}); the registry's own meters
 * carry theirs where they are built.
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

	private static final Map<String, String> DESCRIPTIONS = Map.of("http.server.requests",
			"HTTP requests handled, by method, URI template, status and outcome", "http.server.requests.active",
			"HTTP requests being handled now", "tomcat.sessions.active.current", "Tomcat sessions active now",
			"tomcat.sessions.active.max", "Most Tomcat sessions active at once", "tomcat.sessions.alive.max",
			"Longest time a Tomcat session has been alive", "tomcat.sessions.created", "Tomcat sessions created",
			"tomcat.sessions.expired", "Tomcat sessions expired", "tomcat.sessions.rejected",
			"Tomcat sessions refused because the most allowed were active");

	@Bean
	MeterFilter frameworkMeterDescriptions() {
		return new MeterFilter() {

			@Override
			public Meter.Id map(Meter.Id id) {
				String description = DESCRIPTIONS.get(id.getName());
				if (description == null || (id.getDescription() != null && !id.getDescription().isBlank())) {
					return id;
				}
				return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(),
						description, id.getType());
			}

		};
	}

}
