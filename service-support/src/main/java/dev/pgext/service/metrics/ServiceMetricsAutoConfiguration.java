package dev.pgext.service.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Makes every service's scrape one that {@code promtool check metrics} accepts:
 * descriptions for the framework's meters and time counters in seconds (before Spring
 * Boot's JVM and system meters, whose compilation and processor binders the seconds ones
 * replace).
 */
@AutoConfiguration(
		beforeName = "org.springframework.boot.micrometer.metrics.autoconfigure.jvm.JvmMetricsAutoConfiguration")
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

	@Bean
	SecondsTimeMeters.Compilation jvmCompilationMetrics() {
		return new SecondsTimeMeters.Compilation();
	}

	@Bean
	SecondsTimeMeters.Processor processorMetrics() {
		return new SecondsTimeMeters.Processor();
	}

}
