package dev.pgext.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every binary part names its platform, and its libraries must agree: a real AArch64
 * module (Debian's arm64 build of first_last_agg for PostgreSQL 15) is refused in a part
 * of the default x86-64 platform and accepted in an arm64 part, where it reaches only the
 * arm64 manifest and index; a real PostgreSQL 17 contrib module is refused in a
 * PostgreSQL 15 part.
 */
class PlatformIntegrationTests extends RegistryIntegrationTest {

	private static final String ARM64 = "/dev/pgext/testsupport/arm64/";

	@Test
	void anAarch64LibraryInAPartOfTheDefaultPlatformIsRefusedNamingTheFileAndBothPlatforms() {
		Snapshot before = snapshot();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("first_last_agg", "0.1.4"),
				Map.of("pg15", firstLastAgg()));
		PublishHardeningIntegrationTests.assertProblem(response, 422, "platform-mismatch");
		assertThat(response.json().path("detail").asString()).contains("pg15: 'lib/first_last_agg.so'")
			.contains("built for linux-arm64")
			.contains("AArch64")
			.contains("declares platform linux-amd64-gnu");
		assertThat(snapshot()).as("nothing is written").isEqualTo(before);
	}

	@Test
	void anAarch64LibraryInAnArm64PartIsPublishedAndReachesOnlyTheArm64ManifestAndIndex() {
		RegistryClient.Response response = publish(ADMIN_TOKEN, null,
				TestArtifacts.metadata("first_last_agg_arm", "0.1.4"), Map.of("pg15-linux-arm64-gnu", firstLastAgg()));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
		JsonNode extension = response.json().path("extensions").get(0);
		assertThat(extension.path("name").asString()).isEqualTo("first_last_agg");
		assertThat(extension.path("platform").asString()).isEqualTo("linux-arm64-gnu");
		assertThat(response.json().has("notes")).as("the magic block was checked").isFalse();

		assertThat(manifest("/api/v1/compute-manifests/15?platform=linux-arm64-gnu").find("first_last_agg"))
			.hasValueSatisfying((entry) -> assertThat(entry.libraries()).containsExactly("first_last_agg"));
		assertThat(manifest("/api/v1/compute-manifests/15").find("first_last_agg")).isEmpty();
		assertThat(manifest("/api/v1/compute-manifests/15?platform=linux-amd64-gnu").find("first_last_agg")).isEmpty();

		RegistryClient.Response builds = api().get("/api/v1/extensions/first_last_agg/versions/0.1.4", null);
		assertThat(builds.status()).as(builds.toString()).isEqualTo(200);
		assertThat(builds.json().get(0).path("platform").asString()).isEqualTo("linux-arm64-gnu");

		awaitProjections();
		assertThat(ExtIndexJson.read(this.store.getBytes("15/linux-arm64-gnu/ext_index.json").orElseThrow())
			.find("first_last_agg")).isPresent();
		assertThat(this.store.getBytes("15/linux-arm64-gnu/lib/first_last_agg.so")).isPresent();
		assertThat(this.store.getBytes("15/lib/first_last_agg.so")).isEmpty();
		assertThat(this.store.getBytes("15/ext_index.json")
			.map(ExtIndexJson::read)
			.map((index) -> index.find("first_last_agg").isPresent())).isNotEqualTo(java.util.Optional.of(true));
	}

	@Test
	void aPostgres17LibraryInAPostgres15PartIsRefusedWithTheReason() {
		Snapshot before = snapshot();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null,
				TestArtifacts.metadata("hstore_wrong_major", "1.0.0"), Map.of("pg15", hstore(17)));
		PublishHardeningIntegrationTests.assertProblem(response, 422, "incompatible-postgres-build");
		assertThat(response.json().path("detail").asString()).contains("'lib/hstore.so'")
			.contains("built for PostgreSQL 17, not 15");
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void aGlibcLibraryInAMuslPartIsRefused() {
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("hstore_musl", "1.0.0"),
				Map.of("pg15-linux-amd64-musl", hstore(15)));
		PublishHardeningIntegrationTests.assertProblem(response, 422, "platform-mismatch");
		assertThat(response.json().path("detail").asString()).contains("built for linux-amd64-gnu")
			.contains("the gnu C library")
			.contains("declares platform linux-amd64-musl");
	}

	@Test
	void anUnknownPlatformIsABadRequestForAPartAndForAManifest() {
		RegistryClient.Response part = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("sparc", "1.0.0"),
				Map.of("pg15-linux-sparc-gnu", TestArtifacts.sqlExtension("sparc").tarGz()));
		PublishHardeningIntegrationTests.assertProblem(part, 400, "unknown-platform");
		assertThat(part.json().path("detail").asString()).contains("pg15-linux-sparc-gnu").contains("linux-arm64-gnu");
		RegistryClient.Response manifest = api().get("/api/v1/compute-manifests/15?platform=solaris", null);
		PublishHardeningIntegrationTests.assertProblem(manifest, 400, "unknown-platform");
	}

	@Test
	void theDefaultPlatformNamedExplicitlyIsTheSamePartAsPlainPg15() {
		RegistryClient.Response both = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("twice", "1.0.0"),
				Map.of("pg15", TestArtifacts.sqlExtension("twice").tarGz(), "pg15-linux-amd64-gnu",
						TestArtifacts.sqlExtension("twice").tarGz()));
		PublishHardeningIntegrationTests.assertProblem(both, 400, "unexpected-part");
		RegistryClient.Response explicit = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("explicit_lib", "1.0.0"),
				Map.of("pg15-linux-amd64-gnu",
						TestArtifacts.builder().file("lib/explicit_lib.so", library(15, "hstore.so"), 0755).tarGz()));
		assertThat(explicit.status()).as(explicit.toString()).isEqualTo(201);
		assertThat(explicit.json().path("extensions").get(0).path("platform").asString()).isEqualTo("linux-amd64-gnu");
		assertThat(manifest("/api/v1/compute-manifests/15").find("explicit_lib")).isPresent();
	}

	private ExtIndex manifest(String path) {
		RegistryClient.Response response = api().get(path, null);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		return ExtIndexJson.read(response.body());
	}

	private static byte[] firstLastAgg() {
		return TestArtifacts.builder()
			.file("share/extension/first_last_agg.control", resource("first_last_agg.control"))
			.file("share/extension/first_last_agg--0.1.4.sql", resource("first_last_agg--0.1.4.sql"))
			.file("lib/first_last_agg.so", resource("first_last_agg.so"), 0755)
			.tarGz();
	}

	private static byte[] hstore(int major) {
		return TestArtifacts.builder()
			.file("share/extension/hstore.control", extensionFile(major, "hstore.control"))
			.file("share/extension/hstore--1.4.sql", extensionFile(major, "hstore--1.4.sql"))
			.file("lib/hstore.so", library(major, "hstore.so"), 0755)
			.tarGz();
	}

	private static byte[] extensionFile(int major, String name) {
		return read(PostgresInstalls.shared(major).extensionDir().resolve(name));
	}

	private static byte[] library(int major, String name) {
		return read(PostgresInstalls.shared(major).pkglibdir().resolve(name));
	}

	private static byte[] read(java.nio.file.Path path) {
		try {
			return Files.readAllBytes(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static byte[] resource(String name) {
		try (InputStream in = PlatformIntegrationTests.class.getResourceAsStream(ARM64 + name)) {
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
