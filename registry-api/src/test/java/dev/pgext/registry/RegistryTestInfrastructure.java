package dev.pgext.registry;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestDatabase;
import dev.pgext.testsupport.TestInfrastructure;

/**
 * Points a registry test's application context at its own real database and bucket.
 */
public final class RegistryTestInfrastructure {

	private RegistryTestInfrastructure() {
	}

	public static void register(DynamicPropertyRegistry registry, Class<?> testClass) {
		TestDatabase database = TestInfrastructure.database(testClass);
		TestBucket bucket = TestInfrastructure.bucket(testClass);
		registry.add("spring.datasource.url", database::jdbcUrl);
		registry.add("spring.datasource.username", database::username);
		registry.add("spring.datasource.password", database::password);
		registry.add("pgext.registry.s3.endpoint", () -> bucket.endpoint().toString());
		registry.add("pgext.registry.s3.bucket", bucket::name);
		registry.add("pgext.registry.s3.access-key", bucket::accessKey);
		registry.add("pgext.registry.s3.secret-key", bucket::secretKey);
	}

}
