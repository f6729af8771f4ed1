package dev.pgext.service.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Makes every service's scrape one that {@code promtool check metrics} accepts:
 * descriptions for the framework's meters and time counters in seconds.
 */
@AutoConfiguration
@ConditionalOnClass(MeterRegistry.class)
public class ServiceMetricsAutoConfiguration {

	@Bean
	FrameworkMeterDescriptions frameworkMeterDescriptions() {
		return new FrameworkMeterDescriptions();
	}

	@Bean
	SecondsTimeMeters secondsTimeMeters() {
		return new SecondsTimeMeters();
	}

}
