package dev.pgext.bundle;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

import dev.pgext.bundle.fetch.PinTrust;

/**
 * The bundle builder CLI: builds, verifies, publishes and fetches pinned self-contained
 * Postgres bundles. One command per run; the exit code says how it went.
 */
@SpringBootApplication
@EnableConfigurationProperties({ BundleProperties.class, PinTrust.class })
public class BundleBuilderApplication {

	@Bean
	BundleCommands bundleCommands(BundleProperties properties, PinTrust trust, RestClient.Builder http) {
		return new BundleCommands(properties, trust, http, System.out, System.err);
	}

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(BundleBuilderApplication.class);
		// options such as --output belong to the command, not to the Spring environment
		application.setAddCommandLineProperties(false);
		System.exit(SpringApplication.exit(application.run(args)));
	}

}
