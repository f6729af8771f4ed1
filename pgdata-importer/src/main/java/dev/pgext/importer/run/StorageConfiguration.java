package dev.pgext.importer.run;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.pgext.importer.ImporterProperties;
import dev.pgext.model.store.S3ObjectStore;

/**
 * The storage bucket as a bean with a health indicator, and the failpoints.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	// closed with the context: an S3 client holds a connection pool and timer threads
	@Bean
	S3ObjectStore storage(ImporterProperties properties) {
		return S3ObjectStore.create(properties.s3()).withCircuitBreaker(S3ObjectStore.circuitBreaker("importer-s3"));
	}

	@Bean
	Failpoints failpoints() {
		return new Failpoints();
	}

	@Bean
	HealthIndicator storageHealthIndicator(S3ObjectStore storage) {
		return () -> {
			try {
				storage.checkBucket();
				return Health.up().withDetail("bucket", storage.bucket()).build();
			}
			catch (RuntimeException ex) {
				return Health.down()
					.withDetail("bucket", storage.bucket())
					.withDetail("error", ex.getMessage())
					.build();
			}
		};
	}

}
