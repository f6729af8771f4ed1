package dev.pgext.bundle;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The bundle builder: builds, verifies, publishes and fetches pinned self-contained Postgres bundles.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BundleBuilderApplication {

	public static void main(String[] args) {
		SpringApplication.run(BundleBuilderApplication.class, args);
	}

}
