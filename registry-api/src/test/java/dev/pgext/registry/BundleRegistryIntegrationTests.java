package dev.pgext.registry;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bundles uploaded by CI are registered by digest once their bytes are in the store;
 * registering again with the same content is harmless, with different content it is
 * refused.
 */
class BundleRegistryIntegrationTests extends RegistryIntegrationTest {

	private static final String PROBLEMS = "https://pgext.dev/problems/";

	@Test
	void aBundleInTheStoreIsRegisteredOnceAndListed() {
		byte[] older = upload("older bundle bytes");
		byte[] bytes = upload("pretend this is a pg-bundle tar.zst");
		String ci = userToken("bundle-ci", null, "publish");
		assertThat(api().postJson("/api/v1/bundles", ci, request(older, "15.19")).status()).isEqualTo(201);

		String hex = Sha256Digest.of(bytes).hex();
		RegistryClient.Response created = api().postJson("/api/v1/bundles", ci, request(bytes, "15.19"));
		assertThat(created.status()).as(created.toString()).isEqualTo(201);
		JsonNode bundle = created.json();
		assertThat(bundle.path("sha256").asString()).isEqualTo(hex);
		assertThat(bundle.path("size").asLong()).isEqualTo(bytes.length);
		assertThat(bundle.path("pg_versions").path("17").asString()).isEqualTo("17.11");
		assertThat(bundle.path("manifest").path("launcher").asString()).isEqualTo("LAUNCHER");
		assertThat(bundle.path("registered_by").asString()).isEqualTo("bundle-ci");

		RegistryClient.Response again = api().postJson("/api/v1/bundles", ci, request(bytes, "15.19"));
		assertThat(again.status()).isEqualTo(200);
		assertThat(again.json()).isEqualTo(bundle);

		RegistryClient.Response different = api().postJson("/api/v1/bundles", ci, request(bytes, "15.18"));
		assertThat(different.status()).isEqualTo(409);
		assertThat(different.problemType()).isEqualTo(PROBLEMS + "bundle-conflict");

		assertThat(api().get("/api/v1/bundles/" + hex, null).json()).isEqualTo(bundle);
		JsonNode list = api().get("/api/v1/bundles", null).json();
		assertThat(list.get(0).path("sha256").asString()).isEqualTo(hex);
		assertThat(list.get(1).path("sha256").asString()).isEqualTo(Sha256Digest.of(older).hex());
		assertThat(this.jdbc.sql("select count(*) from audit_event where action = 'bundle.register' and target = ?")
			.param(hex)
			.query(Long.class)
			.single()).isEqualTo(1);
	}

	@Test
	void aBundleMustBeInTheStoreWithTheDeclaredSize() {
		byte[] missing = "never uploaded".getBytes(StandardCharsets.UTF_8);
		RegistryClient.Response notThere = api().postJson("/api/v1/bundles", ADMIN_TOKEN, request(missing, "15.19"));
		assertThat(notThere.status()).isEqualTo(422);
		assertThat(notThere.problemType()).isEqualTo(PROBLEMS + "bundle-not-in-store");

		byte[] bytes = upload("a bundle whose size is misreported");
		Map<String, Object> wrongSize = new java.util.HashMap<>(request(bytes, "15.19"));
		wrongSize.put("size", bytes.length + 1);
		RegistryClient.Response mismatch = api().postJson("/api/v1/bundles", ADMIN_TOKEN, wrongSize);
		assertThat(mismatch.status()).isEqualTo(422);
		assertThat(mismatch.problemType()).isEqualTo(PROBLEMS + "bundle-size-mismatch");
		assertThat(api().get("/api/v1/bundles/" + Sha256Digest.of(bytes).hex(), null).status()).isEqualTo(404);
	}

	@Test
	void registeringABundleNeedsAPublishToken() {
		byte[] bytes = upload("an anonymous attempt");
		RegistryClient.Response anonymous = api().postJson("/api/v1/bundles", null, request(bytes, "15.19"));
		assertThat(anonymous.status()).isEqualTo(401);
		assertThat(anonymous.problemType()).isEqualTo(PROBLEMS + "unauthenticated");
		String approver = userToken("bundle-approver-only", null, "bundle-approver");
		assertThat(api().postJson("/api/v1/bundles", approver, request(bytes, "15.19")).status()).isEqualTo(403);
	}

	private byte[] upload(String content) {
		byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
		this.store.put(StoreLayout.bundle(Sha256Digest.of(bytes)), bytes, "application/zstd");
		return bytes;
	}

	private static Map<String, Object> request(byte[] bytes, String pg15) {
		return Map.of("sha256", Sha256Digest.of(bytes).hex(), "size", bytes.length, "pg_versions",
				Map.of("15", pg15, "17", "17.11"), "manifest",
				Map.of("launcher", "LAUNCHER", "pg_versions", Map.of("15", pg15, "17", "17.11")));
	}

}
