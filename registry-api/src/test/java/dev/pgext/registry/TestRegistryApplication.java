package dev.pgext.registry;

import java.nio.file.Path;

import org.springframework.boot.SpringApplication;

import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.EmbeddedPostgresServer;
import dev.pgext.testsupport.EmbeddedS3Server;

/**
 * Runs the registry on embedded defaults: an embedded PostgreSQL and an in-process S3
 * endpoint, both keeping their data under {@code .pgext/local} so that the next start
 * finds it again. Started by {@code ./mvnw -pl registry-api -am spring-boot:test-run}.
 */
public final class TestRegistryApplication {

	private TestRegistryApplication() {
	}

	public static void main(String[] args) {
		Path data = Path.of(System.getProperty("pgext.local.dir", ".pgext/local")).toAbsolutePath();
		EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), 0);
		EmbeddedS3Server s3 = EmbeddedS3Server.start(data.resolve("s3"), 0);
		String bucket = "pgext-extensions";
		S3ObjectStore store = S3ObjectStore.create(ObjectStoreSettings.of(s3.endpoint(), bucket,
				EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY));
		store.createBucketIfMissing();
		store.client().close();

		System.setProperty("spring.datasource.url", postgres.jdbcUrl("postgres"));
		System.setProperty("spring.datasource.username", postgres.username());
		System.setProperty("pgext.registry.s3.endpoint", s3.endpoint().toString());
		System.setProperty("pgext.registry.s3.bucket", bucket);
		System.setProperty("pgext.registry.s3.access-key", EmbeddedS3Server.ACCESS_KEY);
		System.setProperty("pgext.registry.s3.secret-key", EmbeddedS3Server.SECRET_KEY);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			s3.close();
			postgres.close();
		}, "pgext-local-infrastructure-stop"));

		SpringApplication.run(RegistryApplication.class, args);
		System.out.printf("%npgext registry on embedded defaults; data in %s%n  PostgreSQL: %s%n  S3: %s (bucket %s)%n%n",
				data, postgres.jdbcUrl("postgres"), s3.endpoint(), bucket);
	}

}
