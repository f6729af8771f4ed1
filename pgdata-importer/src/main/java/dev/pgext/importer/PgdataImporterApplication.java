package dev.pgext.importer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The PGDATA importer: turns a PGDATA dump in S3 into image layers, idempotently and
 * resumably.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PgdataImporterApplication {

	public static void main(String[] args) {
		SpringApplication.run(PgdataImporterApplication.class, args);
	}

}
