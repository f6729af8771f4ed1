package dev.pgext.local;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Each log line of the local stack is tagged with the service it comes from. */
class ServiceLogTagTests {

	private final LoggerContext logging = new LoggerContext();

	@Test
	void aFrameworkLineIsTaggedWithTheServiceThatStartedTheLoggingThread() throws Exception {
		ServiceThreads.ServiceGroup loader = new ServiceThreads.ServiceGroup("extension-loader");
		// a pool made while the service starts, as Tomcat's and Spring's are: its threads
		// join the group
		String tag = ServiceThreads.call(loader, () -> {
			ExecutorService pool = Executors.newSingleThreadExecutor();
			try {
				return pool.submit(() -> tag("org.apache.catalina.core.StandardService")).get();
			}
			finally {
				pool.shutdown();
			}
		});
		assertThat(tag).isEqualTo("extension-loader");
	}

	@Test
	void aServicesOwnLoggerNamesItOnAnyThread() {
		assertThat(tag("dev.pgext.registry.publish.PublishService")).isEqualTo("registry-api");
		assertThat(tag("dev.pgext.loader.compute.Compute")).isEqualTo("extension-loader");
		assertThat(tag("dev.pgext.importer.ImportService")).isEqualTo("pgdata-importer");
	}

	@Test
	void whatNoServiceWritesIsTheStacksOwn() {
		assertThat(tag("dev.pgext.local.LocalStack")).isEqualTo("local-stack");
		assertThat(tag("org.springframework.boot.SpringApplication")).isEqualTo("local-stack");
	}

	@Test
	void aFailureInsideAServiceThreadReachesTheCaller() {
		ServiceThreads.ServiceGroup importer = new ServiceThreads.ServiceGroup("pgdata-importer");
		org.assertj.core.api.Assertions.assertThatIllegalStateException()
			.isThrownBy(() -> ServiceThreads.call(importer, () -> {
				throw new IllegalStateException("port 8082 is in use");
			}))
			.withMessage("port 8082 is in use");
	}

	private String tag(String loggerName) {
		LoggingEvent event = new LoggingEvent(getClass().getName(), this.logging.getLogger(loggerName), Level.INFO,
				"a line", null, null);
		return new ServiceLogTag().convert(event);
	}

}
