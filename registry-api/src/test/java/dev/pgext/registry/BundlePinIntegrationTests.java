package dev.pgext.registry;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bundle pins need a second person: the proposer cannot approve, a different
 * {@code bundle-approver} can, and the pin file then names the registered bundle.
 */
class BundlePinIntegrationTests extends RegistryIntegrationTest {

	private static final String PROBLEMS = "https://pgext.dev/problems/";

	@Test
	void aPinTakesEffectOnlyWhenASecondPersonApprovesIt() {
		String first = registerBundle("pin bundle one");
		String second = registerBundle("pin bundle two");
		String alice = userToken("pin-alice", null, "publish", "bundle-approver");
		String bob = userToken("pin-bob", null, "bundle-approver");
		assertThat(api().get("/api/v1/bundle-pins/staging", null).status()).isEqualTo(404);

		RegistryClient.Response proposed = api().postJson("/api/v1/bundle-pins/staging/proposals", alice,
				Map.of("sha256", first, "pg_versions", List.of("17", "15"), "reason", "PG 17.11 rollout"));
		assertThat(proposed.status()).as(proposed.toString()).isEqualTo(201);
		long firstId = proposed.json().path("id").asLong();
		assertThat(proposed.json().path("state").asString()).isEqualTo("proposed");

		RegistryClient.Response self = api().postJson("/api/v1/bundle-pins/staging/proposals/" + firstId + "/approve",
				alice, Map.of());
		assertThat(self.status()).isEqualTo(403);
		assertThat(self.problemType()).isEqualTo(PROBLEMS + "forbidden");
		assertThat(self.json().path("detail").asString()).contains("second person");
		assertThat(api().get("/api/v1/bundle-pins/staging", null).status()).isEqualTo(404);

		RegistryClient.Response approved = api()
			.postJson("/api/v1/bundle-pins/staging/proposals/" + firstId + "/approve", bob, Map.of());
		assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
		assertThat(approved.json().path("state").asString()).isEqualTo("effective");
		assertThat(approved.json().path("approved_by").asString()).isEqualTo("pin-bob");

		RegistryClient.Response pinFile = api().get("/api/v1/bundle-pins/staging", null);
		assertThat(pinFile.status()).isEqualTo(200);
		// exactly the fields bundle-builder's Pin record reads
		assertThat(pinFile.json().propertyNames()).containsExactlyInAnyOrder("sha256", "pg_versions");
		assertThat(pinFile.json().path("sha256").asString()).isEqualTo(first);
		assertThat(pinFile.json().path("pg_versions")).extracting(JsonNode::asString).containsExactly("15", "17");
		JsonNode bundle = api().get("/api/v1/bundles/" + first, null).json();
		assertThat(bundle.path("pg_versions").has("15")).isTrue();
		assertThat(bundle.path("pg_versions").has("17")).isTrue();
		byte[] stored = this.store.getBytes(StoreLayout.bundle(Sha256Digest.parse(first))).orElseThrow();
		assertThat(Sha256Digest.of(stored).hex()).isEqualTo(first);

		// bob proposes the next bundle for 17 only, alice approves it
		long secondId = api()
			.postJson("/api/v1/bundle-pins/staging/proposals", bob,
					Map.of("sha256", second, "pg_versions", List.of("17")))
			.json()
			.path("id")
			.asLong();
		assertThat(api().postJson("/api/v1/bundle-pins/staging/proposals/" + secondId + "/approve", alice, Map.of())
			.status()).isEqualTo(200);
		assertThat(api().get("/api/v1/bundle-pins/staging", null).json().path("sha256").asString()).isEqualTo(second);
		assertThat(api().get("/api/v1/bundle-pins/production", null).status()).isEqualTo(404);

		JsonNode history = api().get("/api/v1/bundle-pins/staging/history", null).json();
		assertThat(history).hasSize(2);
		assertThat(history.get(0).path("sha256").asString()).isEqualTo(second);
		assertThat(history.get(0).path("state").asString()).isEqualTo("effective");
		assertThat(history.get(0).path("proposed_by").asString()).isEqualTo("pin-bob");
		assertThat(history.get(0).path("approved_by").asString()).isEqualTo("pin-alice");
		assertThat(history.get(1).path("sha256").asString()).isEqualTo(first);
		assertThat(history.get(1).path("state").asString()).isEqualTo("superseded");
		assertThat(history.get(1).path("reason").asString()).isEqualTo("PG 17.11 rollout");
		assertThat(
				this.jdbc.sql("select count(*) from event where type = 'bundle_pin.approved' and subject = 'staging'")
					.query(Long.class)
					.single())
			.isEqualTo(2);
	}

	@Test
	void aPinMustNameARegisteredBundleAndItsMajors() {
		String bundle = registerBundle("pin bundle three");
		String carol = userToken("pin-carol", null, "publish");
		RegistryClient.Response unknown = api().postJson("/api/v1/bundle-pins/production/proposals", carol,
				Map.of("sha256", Sha256Digest.of("never registered".getBytes(StandardCharsets.UTF_8)).hex()));
		assertThat(unknown.status()).isEqualTo(422);
		assertThat(unknown.problemType()).isEqualTo(PROBLEMS + "bundle-not-registered");
		RegistryClient.Response missingMajor = api().postJson("/api/v1/bundle-pins/production/proposals", carol,
				Map.of("sha256", bundle, "pg_versions", List.of("16")));
		assertThat(missingMajor.status()).isEqualTo(422);
		assertThat(missingMajor.problemType()).isEqualTo(PROBLEMS + "pin-major-missing");
		RegistryClient.Response badEnvironment = api().postJson("/api/v1/bundle-pins/Prod!/proposals", carol,
				Map.of("sha256", bundle));
		assertThat(badEnvironment.status()).isEqualTo(400);
		long id = api().postJson("/api/v1/bundle-pins/production/proposals", carol, Map.of("sha256", bundle))
			.json()
			.path("id")
			.asLong();
		// publish scope may propose but not approve
		assertThat(api()
			.postJson("/api/v1/bundle-pins/production/proposals/" + id + "/approve",
					userToken("pin-dave", null, "publish"), Map.of())
			.status()).isEqualTo(403);
		assertThat(api().get("/api/v1/bundle-pins/production", null).status()).isEqualTo(404);
	}

	private String registerBundle(String content) {
		byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
		this.store.put(StoreLayout.bundle(Sha256Digest.of(bytes)), bytes, "application/zstd");
		Map<String, Object> request = Map.of("sha256", Sha256Digest.of(bytes).hex(), "size", bytes.length,
				"pg_versions", Map.of("15", "15.19", "17", "17.11"), "manifest", Map.of("launcher", "LAUNCHER"));
		assertThat(api().postJson("/api/v1/bundles", ADMIN_TOKEN, request).status()).isEqualTo(201);
		return Sha256Digest.of(bytes).hex();
	}

}
