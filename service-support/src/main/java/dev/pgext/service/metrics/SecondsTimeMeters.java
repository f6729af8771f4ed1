package dev.pgext.service.metrics;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * The JIT compilation time and the process CPU time in seconds, Prometheus' base unit, in
 * place of Micrometer's binders' milliseconds and nanoseconds (scraped as
 * {@code jvm_compilation_time_ms_total} and {@code process_cpu_time_ns_total}, names
 * promtool refuses for their abbreviated units). The binders {@link Compilation} and
 * {@link Processor} stand in for Micrometer's {@link JvmCompilationMetrics} and
 * {@link ProcessorMetrics} (Spring Boot registers its own only where a service has none)
 * and register the same readings, converted, under the same meter names with base unit
 * seconds ({@code jvm_compilation_time_seconds_total},
 * {@code process_cpu_time_seconds_total}). {@link Processor} registers Micrometer's other
 * processor meters through its parent, whose process CPU time in nanoseconds this filter
 * turns away. Each name is registered once: a second registration of a name makes
 * Micrometer warn at start.
 */
public final class SecondsTimeMeters implements MeterFilter {

	static final String COMPILATION_TIME = "jvm.compilation.time";

	static final String PROCESS_CPU_TIME = "process.cpu.time";

	private static final String SECONDS = "seconds";

	@Override
	public MeterFilterReply accept(Meter.Id id) {
		boolean replaced = PROCESS_CPU_TIME.equals(id.getName()) && !SECONDS.equals(id.getBaseUnit());
		return replaced ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
	}

	/** The JIT compilation time in seconds, instead of Micrometer's milliseconds. */
	public static final class Compilation extends JvmCompilationMetrics {

		@Override
		public void bindTo(MeterRegistry registry) {
			CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
			if (compilation != null && compilation.isCompilationTimeMonitoringSupported()) {
				FunctionCounter
					.builder(COMPILATION_TIME, compilation, (bean) -> bean.getTotalCompilationTime() / 1_000.0)
					.description("Time the just-in-time compiler has spent compiling")
					.tag("compiler", compilation.getName())
					.baseUnit(SECONDS)
					.register(registry);
			}
		}

	}

	/**
	 * Micrometer's processor meters, with the process CPU time in seconds instead of
	 * nanoseconds (registered after them, once the filter has turned theirs away).
	 */
	public static final class Processor extends ProcessorMetrics {

		@Override
		public void bindTo(MeterRegistry registry) {
			super.bindTo(registry);
			OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
			if (os instanceof com.sun.management.OperatingSystemMXBean hotspot && hotspot.getProcessCpuTime() >= 0) {
				FunctionCounter.builder(PROCESS_CPU_TIME, hotspot, (bean) -> bean.getProcessCpuTime() / 1_000_000_000.0)
					.description("CPU time used by the Java virtual machine process")
					.baseUnit(SECONDS)
					.register(registry);
			}
		}

	}

}
