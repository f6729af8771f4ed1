package dev.pgext.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.pgext.model.signing.SigningKey;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestDatabase;
import dev.pgext.testsupport.TestInfrastructure;

/**
 * Points a registry test's application context at its own real database and bucket, and
 * gives it a signing key (one per test JVM) whose public half tests verify with.
 */
public final class RegistryTestInfrastructure {

	private static final SigningKey SIGNING_KEY = SigningKey.generate();

	private static Path signingKeyFile;

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
		registry.add("pgext.registry.signing.private-key-file", () -> signingKeyFile().toString());
	}

	/** The key every registry test context signs with. */
	public static SigningKey signingKey() {
		return SIGNING_KEY;
	}

	/**
	 * The PEM file of {@link #signingKey()}, with its public key beside it
	 * ({@code .pub}).
	 */
	public static synchronized Path signingKeyFile() {
		if (signingKeyFile == null) {
			try {
				Path dir = Files.createTempDirectory("pgext-signing");
				Path file = dir.resolve("signing.pem");
				// removed at exit in the reverse order: the files, then the directory
				// (registered last, it was tried first and stayed, not empty yet)
				dir.toFile().deleteOnExit();
				file.toFile().deleteOnExit();
				file.resolveSibling("signing.pem.pub").toFile().deleteOnExit();
				SIGNING_KEY.write(file);
				signingKeyFile = file;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return signingKeyFile;
	}

}
