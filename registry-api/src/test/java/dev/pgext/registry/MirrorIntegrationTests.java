package dev.pgext.registry;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.registry.projection.Projections;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The static mirror follows every public change through background refreshes, lists every
 * file's digest in its snapshot, keeps private extensions out, and a rebuild from the
 * database alone gives the same bytes as the refreshes did.
 */
class MirrorIntegrationTests extends RegistryIntegrationTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	private Projections projections;

	@Test
	void theIncrementalMirrorEqualsARebuildFromTheDatabaseByteForByte() {
		publish("mirror_a", "1.0.0", "pg15");
		publish("mirror_a", "1.1.0", "pg15");
		publish("mirror_b", "1.0.0", "pg15", "pg17");
		assertThat(publish(ADMIN_TOKEN, "acme", TestArtifacts.metadata("mirror_secret", "1.0.0"),
				Map.of("pg15", TestArtifacts.sqlExtension("mirror_secret").tarGz()))
			.status()).isEqualTo(201);
		assertThat(api()
			.postJson("/api/v1/distributions/mirror_a/versions/1.1.0/yank", ADMIN_TOKEN,
					Map.of("reason", "broken upgrade script"))
			.status()).isEqualTo(200);
		assertThat(api()
			.postJson("/api/v1/distributions/mirror_b/deprecation", ADMIN_TOKEN, Map.of("successor", "mirror_a"))
			.status()).isEqualTo(200);
		awaitProjections();
		publish("mirror_gone", "1.0.0", "pg15");
		awaitProjections();
		assertThat(this.store.head("mirror/dist/mirror_gone.json")).isPresent();
		assertThat(api()
			.postJson("/api/v1/distributions/mirror_gone/versions/1.0.0/yank", ADMIN_TOKEN,
					Map.of("reason", "withdrawn"))
			.status()).isEqualTo(200);
		awaitProjections();

		Map<String, byte[]> incremental = mirror();
		// the snapshot's signature is not mirror content: a rebuild signs the snapshot
		// anew
		assertSignedSnapshot(incremental.remove("mirror/snapshot.json.sig"), incremental.get("mirror/snapshot.json"));
		assertThat(incremental).containsKeys("mirror/index.json", "mirror/snapshot.json",
				"mirror/extensions/mirror_a.json", "mirror/extensions/mirror_a/1.0.0.json",
				"mirror/extensions/mirror_a/1.1.0.json", "mirror/extensions/mirror_b/1.0.0.json",
				"mirror/pg/15/ext_index.json", "mirror/pg/17/ext_index.json");
		assertThat(incremental.keySet()).noneMatch((key) -> key.contains("mirror_secret"));
		// PGXN never lists a withdrawn release: the run after the yank removed what named
		// it alone
		assertThat(incremental).doesNotContainKeys("mirror/dist/mirror_gone.json", "mirror/extension/mirror_gone.json",
				"mirror/dist/mirror_gone/1.0.0/META.json");

		// the root lists the parts, the parts every other file, each with its digest
		Map<String, String> listed = listed(incremental::get);
		Map<String, String> files = digests(incremental);
		files.remove("mirror/snapshot.json");
		files.keySet().removeIf((key) -> key.startsWith("mirror/snapshot/"));
		assertThat(listed).isEqualTo(files);
		JsonNode index = JSON.readTree(incremental.get("mirror/index.json"));
		assertThat(index.path("templates").path("version").asString()).isEqualTo("extensions/{name}/{version}.json");
		JsonNode mirrorA = JSON.readTree(incremental.get("mirror/extensions/mirror_a.json"));
		assertThat(mirrorA.path("latest").asString()).isEqualTo("1.0.0");
		assertThat(mirrorA.path("versions").get(1).path("yanked").asBoolean()).isTrue();
		assertThat(mirrorA.path("versions").get(1).path("yank_reason").asString()).isEqualTo("broken upgrade script");
		JsonNode mirrorB = JSON.readTree(incremental.get("mirror/extensions/mirror_b.json"));
		assertThat(mirrorB.path("deprecated").asBoolean()).isTrue();
		assertThat(mirrorB.path("successor").asString()).isEqualTo("mirror_a");
		JsonNode version = JSON.readTree(incremental.get("mirror/extensions/mirror_b/1.0.0.json"));
		assertThat(version.path("builds")).extracting((b) -> b.path("pg_major").asInt()).containsExactly(15, 17);
		String blob = version.path("builds").get(0).path("files").get(0).path("sha256").asString();
		assertThat(this.store.head(StoreLayout.blob(Sha256Digest.parse(blob)))).isPresent();
		assertThat(incremental.get("mirror/pg/15/ext_index.json"))
			.isEqualTo(this.store.getBytes(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(15))).orElseThrow());

		for (String key : incremental.keySet()) {
			this.store.delete(key);
		}
		assertThat(api().postJson("/api/v1/admin/mirror/rebuild", userToken("mirror-user", null, "publish"), Map.of())
			.status()).isEqualTo(403);
		RegistryClient.Response accepted = api().postJson("/api/v1/admin/mirror/rebuild", ADMIN_TOKEN, Map.of());
		assertThat(accepted.status()).isEqualTo(202);
		JsonNode operation = awaitOperation(accepted.headers().getLocation().toString(), ADMIN_TOKEN);
		assertThat(operation.path("state").asString()).as(operation.toString()).isEqualTo("succeeded");
		assertThat(operation.path("result").path("objects").asInt()).isEqualTo(incremental.size());

		Map<String, byte[]> rebuilt = mirror();
		assertSignedSnapshot(rebuilt.remove("mirror/snapshot.json.sig"), rebuilt.get("mirror/snapshot.json"));
		assertThat(digests(rebuilt)).isEqualTo(digests(incremental));
	}

	private static void assertSignedSnapshot(byte[] signature, byte[] snapshot) {
		assertThat(signature).as("mirror/snapshot.json.sig").isNotNull();
		assertThat(new MetadataVerifier(TrustedKeys.of(List.of(RegistryTestInfrastructure.signingKey().publicKey())),
				true, VersionLedger.inMemory(), Clock.systemUTC())
			.verify("mirror/snapshot.json", snapshot, signature)).isPresent();
	}

	@Test
	void aPublishRewritesOnlyWhatItChangesAndTheFullReconcileHealsTheRest() {
		publish("mirror_steady", "1.0.0", "pg16");
		awaitProjections();
		String steady = "mirror/extensions/mirror_steady.json";
		byte[] original = this.store.getBytes(steady).orElseThrow();
		byte[] tampered = "{\"tampered\": true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
		this.store.put(steady, tampered, "application/json");

		publish("mirror_next", "1.0.0", "pg16");
		awaitProjections();
		assertThat(this.store.head("mirror/extensions/mirror_next.json")).isPresent();
		Map<String, String> snapshot = listed((key) -> this.store.getBytes(key).orElseThrow());
		assertThat(snapshot).containsKey("mirror/extensions/mirror_next.json");
		// the run after the publish compared with what it had recorded, so it left the
		// other file alone
		assertThat(this.store.getBytes(steady).orElseThrow()).isEqualTo(tampered);
		assertThat(snapshot.get("mirror/extensions/mirror_steady.json")).isEqualTo(Sha256Digest.of(original).hex());

		RegistryClient.Response accepted = api().postJson("/api/v1/admin/projections/reconcile", ADMIN_TOKEN, Map.of());
		assertThat(awaitOperation(accepted.headers().getLocation().toString(), ADMIN_TOKEN).path("state").asString())
			.isEqualTo("succeeded");
		assertThat(this.store.getBytes(steady).orElseThrow()).isEqualTo(original);
	}

	@Test
	void aSignatureDeletedFromTheStoreIsRestoredByTheNextPublish() {
		publish("mirror_signed", "1.0.0", "pg16");
		awaitProjections();
		String signature = "mirror/snapshot.json.sig";
		assertThat(this.jdbc.sql("select count(*) from projection_object where target = 'mirror' and key = ?")
			.param(signature)
			.query(Long.class)
			.single()).as("the signature is among the mirror's records").isOne();
		this.store.delete(signature);

		publish("mirror_signed_next", "1.0.0", "pg16");
		awaitProjections();
		assertSignedSnapshot(this.store.getBytes(signature).orElse(null),
				this.store.getBytes("mirror/snapshot.json").orElseThrow());
	}

	@Test
	void aRunWithNothingPublicSinceTheLastKeepsTheSnapshotAndItsSignature() {
		publish("mirror_quiet", "1.0.0", "pg16");
		awaitProjections();
		byte[] snapshot = this.store.getBytes("mirror/snapshot.json").orElseThrow();
		byte[] signature = this.store.getBytes("mirror/snapshot.json.sig").orElseThrow();

		// asked for again with no public change since: nothing of the mirror changes
		this.projections.requestMirror("test");
		awaitProjections();
		assertThat(this.store.getBytes("mirror/snapshot.json")).contains(snapshot);
		assertThat(this.store.getBytes("mirror/snapshot.json.sig")).contains(signature);
	}

	private void publish(String name, String version, String... majors) {
		Map<String, byte[]> artifacts = new TreeMap<>();
		for (String major : majors) {
			artifacts.put(major,
					TestArtifacts.builder()
						.file("share/extension/" + name + ".control",
								"comment = 'mirror test'\ndefault_version = '" + version + "'\nrelocatable = true\n")
						.file("share/extension/" + name + "--" + version + ".sql", "SELECT 1;\n")
						.tarGz());
		}
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, version), artifacts);
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

	private Map<String, byte[]> mirror() {
		Map<String, byte[]> files = new TreeMap<>();
		for (ObjectInfo object : this.store.list(StoreLayout.MIRROR)) {
			files.put(object.key(), this.store.getBytes(object.key()).orElseThrow());
		}
		return files;
	}

	/**
	 * Every file the snapshot lists, by store key, with its sha256: read from the root,
	 * through each part it names, each part checked against the digest the root gives it.
	 */
	private static Map<String, String> listed(Function<String, byte[]> read) {
		Map<String, String> listed = new TreeMap<>();
		JsonNode root = JSON.readTree(read.apply("mirror/snapshot.json"));
		assertThat(root.path("format").asInt()).isEqualTo(2);
		for (Map.Entry<String, JsonNode> part : root.path("parts").properties()) {
			byte[] bytes = read.apply("mirror/" + part.getKey());
			assertThat(Sha256Digest.of(bytes).hex()).as(part.getKey())
				.isEqualTo(part.getValue().path("sha256").asString());
			assertThat((long) bytes.length).as(part.getKey()).isEqualTo(part.getValue().path("size").asLong());
			for (Map.Entry<String, JsonNode> file : JSON.readTree(bytes).path("files").properties()) {
				assertThat(listed.put("mirror/" + file.getKey(), file.getValue().path("sha256").asString()))
					.as("listed once: " + file.getKey())
					.isNull();
			}
		}
		return listed;
	}

	private static Map<String, String> digests(Map<String, byte[]> files) {
		Map<String, String> digests = new TreeMap<>();
		files.forEach((key, bytes) -> digests.put(key, Sha256Digest.of(bytes).hex()));
		return digests;
	}

}
