package dev.pgext.local;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Properties for one service context of the local stack. All services share one classpath
 * here, where {@code classpath:application.yaml} would find only one of their files; so
 * each context is pointed at its own service's file by location.
 */
final class ServiceConfig {

	/**
	 * Auto-configurations of the registry's database that the other services must not
	 * pick up.
	 */
	static final String NO_DATABASE = String.join(",",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
			"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
			"org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration");

	private ServiceConfig() {
	}

	/**
	 * {@code spring.config.location} of the {@code application.yaml} next to
	 * {@code application}'s classes.
	 */
	static String ownApplicationYaml(Class<?> application) {
		URL location = application.getProtectionDomain().getCodeSource().getLocation();
		try {
			Path path = Path.of(location.toURI());
			if (Files.isDirectory(path)) {
				return "file:" + path.resolve("application.yaml");
			}
			return "jar:" + location + "!/application.yaml";
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException("cannot locate the configuration of " + application.getName(), ex);
		}
	}

	/**
	 * The properties every service context gets: its own file, its port, quiet start-up.
	 */
	static Map<String, Object> base(Class<?> application, int port) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.config.location", ownApplicationYaml(application));
		properties.put("server.port", port);
		properties.put("spring.main.banner-mode", "off");
		properties.put("spring.jmx.enabled", false);
		return properties;
	}

	/**
	 * Starts {@code application} with {@code properties} as command-line arguments, so
	 * that they win over the service's own {@code application.yaml}, in a thread of
	 * {@code service}'s group: the threads the service starts belong to it and its log
	 * lines carry its name. Spring Boot's shutdown hook stays off: the stack closes its
	 * services itself, in reverse order of their start, each in its own group.
	 */
	static ConfigurableApplicationContext run(ServiceThreads.ServiceGroup service, Class<?> application,
			Map<String, Object> properties) {
		String[] args = properties.entrySet()
			.stream()
			.map((e) -> "--" + e.getKey() + "=" + e.getValue())
			.toArray(String[]::new);
		return ServiceThreads.call(service,
				() -> new SpringApplicationBuilder(application).registerShutdownHook(false).run(args));
	}

}
