package dev.pgext.loader;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The extension loader: the sidecar next to a compute node that places extension files
 * and starts Postgres.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class LoaderApplication {

	public static void main(String[] args) {
		SpringApplication.run(LoaderApplication.class, args);
	}

}
