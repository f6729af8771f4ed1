package dev.pgext.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A release may provide libraries without any extension, as PGXN allows: the real PG 15
 * contrib modules that have no control file publish fine, and the compute manifest
 * carries each as a library entry (no control file) that the loader places on
 * {@code LOAD} or preload.
 */
class LibraryModuleIntegrationTests extends RegistryIntegrationTest {

	private static final List<String> MODULES = List.of("auto_explain", "auth_delay", "passwordcheck", "basic_archive",
			"test_decoding", "basebackup_to_shell");

	@Test
	void contribLibraryModulesPublishAndReachTheComputeManifest() {
		for (String module : MODULES) {
			String metadata = """
					{"name": "%s", "version": "15.0.0", "abstract": "the %s module", %s}
					""".formatted(module, module, module.equals("auth_delay")
					? "\"license\": \"PostgreSQL\", \"maintainers\": [{\"name\": \"PostgreSQL Global Development "
							+ "Group\", \"url\": \"https://www.postgresql.org/\"}], \"meta-spec\": {\"version\": "
							+ "\"2.0.0\"}, \"contents\": {\"modules\": {\"auth_delay\": {\"type\": \"hook\", "
							+ "\"preload\": \"server\"}}}"
					: "\"license\": \"postgresql\", \"maintainer\": \"PostgreSQL Global Development Group\", "
							+ "\"meta-spec\": {\"version\": \"1.0.0\"}");
			RegistryClient.Response response = publish(ADMIN_TOKEN, null, metadata, Map.of("pg15",
					TestArtifacts.builder().file("lib/" + module + ".so", library(module), 0755).tarGz()));
			assertThat(response.status()).as(module + ": " + response).isEqualTo(201);
			JsonNode entry = response.json().path("extensions").get(0);
			assertThat(entry.path("name").asString()).isEqualTo(module);
			assertThat(entry.path("libraries")).extracting(JsonNode::asString).containsExactly(module);
		}
		RegistryClient.Response manifest = api().get("/api/v1/compute-manifests/15", null);
		assertThat(manifest.status()).isEqualTo(200);
		ExtIndex index = ExtIndexJson.read(manifest.body());
		for (String module : MODULES) {
			ExtIndexEntry entry = index.find(module).orElseThrow();
			assertThat(entry.control()).as(module).isNull();
			assertThat(entry.providesLibrary(module)).isTrue();
			assertThat(entry.files()).extracting((file) -> file.path()).containsExactly("lib/" + module + ".so");
			assertThat(entry.version().value()).isEqualTo("15.0.0");
		}
		assertThat(index.find("auth_delay").orElseThrow().preload().json()).isEqualTo("server");
		// the stored index, which the loader reads with source=s3, says the same
		awaitProjections();
		assertThat(ExtIndexJson.read(this.store.getBytes("15/ext_index.json").orElseThrow()).find("auto_explain"))
			.hasValueSatisfying((entry) -> assertThat(entry.control()).isNull());
	}

	@Test
	void aLibraryModuleReleaseThatPromisesAnExtensionIsRefused() {
		Snapshot before = snapshot();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null,
				"{\"name\": \"promise\", \"version\": \"1.0.0\", \"abstract\": \"promises\", \"license\": \"postgresql\", "
						+ "\"maintainer\": \"pgext tests\", \"meta-spec\": {\"version\": \"1.0.0\"}, "
						+ "\"provides\": {\"promise\": {\"file\": \"promise.sql\", \"version\": \"1.0\"}}}",
				Map.of("pg15", TestArtifacts.builder().file("lib/promise.so", library("auto_explain"), 0755).tarGz()));
		PublishHardeningIntegrationTests.assertProblem(response, 422, "missing-extension");
		assertThat(snapshot()).isEqualTo(before);
	}

	private static byte[] library(String module) {
		try {
			return Files.readAllBytes(PostgresInstalls.shared(15).pkglibdir().resolve(module + ".so"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
