package dev.pgext.service.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the shared filters in place, Micrometer's JVM and process meters come out in base
 * units and with names Prometheus accepts, and framework meters gain a description.
 */
class ServiceMetricsTests {

	private final SimpleMeterRegistry registry = registry();

	private static SimpleMeterRegistry registry() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		registry.config().meterFilter(new FrameworkMeterDescriptions()).meterFilter(new SecondsTimeMeters());
		new SecondsTimeMeters.Compilation().bindTo(registry);
		new SecondsTimeMeters.Processor().bindTo(registry);
		return registry;
	}

	@Test
	void processCpuTimeIsCountedInSecondsOnly() {
		assertThat(this.registry.find("process.cpu.time").meters()).singleElement().satisfies((meter) -> {
			assertThat(meter.getId().getBaseUnit()).isEqualTo("seconds");
			assertThat(meter.getId().getDescription()).isNotBlank();
			assertThat(((FunctionCounter) meter).count()).isPositive();
		});
	}

	@Test
	void compilationTimeIsCountedInSecondsOnly() {
		assertThat(this.registry.find("jvm.compilation.time").meters()).singleElement()
			.satisfies((meter) -> assertThat(meter.getId().getBaseUnit()).isEqualTo("seconds"));
	}

	@Test
	void theProcessorCountNoLongerEndsInCount() {
		assertThat(this.registry.find("system.cpu.count").meters()).isEmpty();
		Meter cpus = this.registry.get("system.cpus").meter();
		assertThat(cpus.getId().getDescription()).contains("processors");
	}

	@Test
	void aFrameworkMeterWithoutDescriptionGetsOneAndAnotherKeepsItsOwn() {
		this.registry.counter("tomcat.sessions.created");
		io.micrometer.core.instrument.Counter.builder("http.server.requests.active")
			.description("mine")
			.register(this.registry);
		assertThat(this.registry.get("tomcat.sessions.created").meter().getId().getDescription())
			.isEqualTo("Tomcat sessions created");
		assertThat(this.registry.get("http.server.requests.active").meter().getId().getDescription()).isEqualTo("mine");
	}

}
