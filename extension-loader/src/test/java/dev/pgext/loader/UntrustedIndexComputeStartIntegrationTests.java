package dev.pgext.loader;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgext.loader.compute.Compute;
import dev.pgext.model.Scope;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.signing.SigningKey;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A loader configured with a trusted key, started on a bucket whose index nobody signed:
 * the compute start fails with the reason, nothing is placed, the {@code metadataTrust}
 * health indicator is down and the refusal is counted in the Prometheus scrape.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UntrustedIndexComputeStartIntegrationTests {

	private static Path root;

	private static PostgresInstall install;

	@LocalServerPort
	int port;

	@Autowired
	Compute compute;

	@DynamicPropertySource
	static void loader(DynamicPropertyRegistry registry) throws IOException {
		TestBucket bucket = TestInfrastructure.bucket(UntrustedIndexComputeStartIntegrationTests.class);
		// blobs and an index, written by someone without the registry's key
		TestStores.publish(bucket.objectStore(), Scope.PUBLIC, List.of("hstore"));
		root = Files.createTempDirectory("pgext-untrusted");
		install = TestStores.emptyInstall(root.resolve("install"));
		Path spec = Files.writeString(root.resolve("spec.json"), """
				{"pg_major": 15, "install_dir": "%s", "data_dir": "%s", "port": %d,
				 "shared_preload_libraries": [], "available_extensions": ["hstore"]}
				""".formatted(install.root(), root.resolve("data"), FreePorts.any()));
		TestStores.loaderProperties(registry, spec, bucket.endpoint(), bucket);
		String trusted = SigningKey.generate().publicPem();
		registry.add("pgext.loader.trust.public-keys[0]", () -> trusted);
		registry.add("pgext.loader.trust.state-dir", () -> root.resolve("trust").toString());
	}

	@AfterAll
	static void cleanUp() throws IOException {
		FileTrees.delete(root);
	}

	@Test
	void anUnsignedIndexFailsTheStartPlacesNothingAndTurnsHealthDown() throws Exception {
		await().atMost(Duration.ofSeconds(60)).until(() -> this.compute.phase() == Compute.Phase.FAILED);

		assertThat(this.compute.status().problem()).contains("refusing 15/ext_index.json").contains("has no signature");
		try (Stream<Path> files = Files.walk(install.root())) {
			assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
		}
		HttpResponse<String> health = get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(503);
		JsonNode trust = JsonMapper.builder().build().readTree(health.body()).path("components").path("metadataTrust");
		assertThat(trust.path("status").asString()).isEqualTo("DOWN");
		assertThat(trust.path("details").path("15/ext_index.json").asString()).startsWith("unsigned: ");
		assertThat(get("/actuator/prometheus").body())
			.contains("pgext_loader_metadata_rejected_total{reason=\"unsigned\"} 1.0");
	}

	private HttpResponse<String> get(String path) {
		return new LoaderClient(this.port).get(path);
	}

}
