package dev.pgext.registry.storage;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.pgext.model.store.ObjectStore;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.registry.RegistryProperties;

/**
 * The extension store as a bean, with a circuit breaker and a health indicator.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	// closed with the context: an S3 client holds a connection pool and timer threads
	@Bean
	S3ObjectStore objectStore(RegistryProperties properties) {
		return S3ObjectStore.create(properties.s3()).withCircuitBreaker(S3ObjectStore.circuitBreaker("registry-s3"));
	}

	@Bean
	HealthIndicator s3HealthIndicator(ObjectStore store) {
		return () -> {
			try {
				store.checkBucket();
				return Health.up().withDetail("bucket", store.bucket()).build();
			}
			catch (RuntimeException ex) {
				return Health.down().withDetail("bucket", store.bucket()).withDetail("error", ex.getMessage()).build();
			}
		};
	}

}
