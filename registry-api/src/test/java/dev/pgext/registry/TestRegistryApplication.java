package dev.pgext.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

import org.springframework.boot.SpringApplication;

import dev.pgext.model.signing.SigningKey;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.EmbeddedPostgresServer;
import dev.pgext.testsupport.EmbeddedS3Server;
import dev.pgext.testsupport.StopOnSignal;

/**
 * Runs the registry on embedded defaults: an embedded PostgreSQL and an in-process S3
 * endpoint, both keeping their data under {@code .pgext/local} so that the next start
 * finds it again. Started by {@code ./mvnw -pl registry-api -am spring-boot:test-run}. A
 * local administrator token is made on first start, kept in
 * {@code .pgext/local/admin-token} and printed, so that the API can be tried with curl
 * right away.
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
		store.close();

		System.setProperty("spring.datasource.url", postgres.jdbcUrl("postgres"));
		System.setProperty("spring.datasource.username", postgres.username());
		System.setProperty("pgext.registry.s3.endpoint", s3.endpoint().toString());
		System.setProperty("pgext.registry.s3.bucket", bucket);
		System.setProperty("pgext.registry.s3.access-key", EmbeddedS3Server.ACCESS_KEY);
		System.setProperty("pgext.registry.s3.secret-key", EmbeddedS3Server.SECRET_KEY);
		String adminToken = localAdminToken(data.resolve("admin-token"));
		System.setProperty("pgext.registry.admin.token", adminToken);
		Path signingKey = data.resolve("signing.pem");
		if (!Files.exists(signingKey)) {
			try {
				SigningKey.generate().write(signingKey);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		System.setProperty("pgext.registry.signing.private-key-file", signingKey.toString());
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			s3.close();
			postgres.close();
		}, "pgext-local-infrastructure-stop"));
		StopOnSignal.install();

		SpringApplication.run(RegistryApplication.class, args);
		System.out.printf(
				"%npgext registry on embedded defaults; data in %s%n  PostgreSQL: %s%n  S3: %s (bucket %s)%n"
						+ "  Administrator token (user admin): %s%n  Try: export PGEXT_TOKEN=%s%n"
						+ "       curl -H \"Authorization: Bearer $PGEXT_TOKEN\" localhost:8080/api/v1/me%n%n",
				data, postgres.jdbcUrl("postgres"), s3.endpoint(), bucket, adminToken, adminToken);
	}

	private static String localAdminToken(Path file) {
		try {
			if (Files.isRegularFile(file)) {
				return Files.readString(file).strip();
			}
			byte[] bytes = new byte[32];
			new SecureRandom().nextBytes(bytes);
			String token = "pgx_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
			Files.createDirectories(file.getParent());
			Files.writeString(file, token + "\n");
			return token;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
