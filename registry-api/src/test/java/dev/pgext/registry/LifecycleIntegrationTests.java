package dev.pgext.registry;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtIndexJson;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Yank, un-yank, deprecation and ownership transfer, each seen where a user would notice
 * it: manifests, the stored index and seed files, search, downloads, the lifecycle view
 * and the event outbox.
 */
class LifecycleIntegrationTests extends RegistryIntegrationTest {

	private static final String PROBLEMS = "https://pgext.dev/problems/";

	@Test
	void yankingTheCurrentReleaseMakesTheNextHighestCurrentAndKeepsItDownloadable() {
		String owner = userToken("life-owner", null, "publish");
		publishVersion(owner, "life_yank", "1.0.0");
		publishVersion(owner, "life_yank", "1.1.0");
		assertThat(manifestVersion("life_yank")).isEqualTo("1.1.0");

		assertThat(api()
			.postJson("/api/v1/distributions/life_yank/versions/1.1.0/yank",
					userToken("life-stranger", null, "publish"), Map.of("reason", "not mine"))
			.status()).isEqualTo(403);
		RegistryClient.Response yanked = api().postJson("/api/v1/distributions/life_yank/versions/1.1.0/yank", owner,
				Map.of("reason", "CVE-2026-0001: wrong search_path"));
		assertThat(yanked.status()).as(yanked.toString()).isEqualTo(200);
		assertThat(yanked.json().path("releases").get(0).path("yanked").asBoolean()).isTrue();
		assertThat(yanked.json().path("releases").get(0).path("yank_reason").asString())
			.isEqualTo("CVE-2026-0001: wrong search_path");
		assertThat(awaitOperation(yanked.json().path("store_operation").asString(), owner).path("state").asString())
			.isEqualTo("succeeded");

		assertThat(manifestVersion("life_yank")).isEqualTo("1.0.0");
		assertThat(
				ExtIndexJson.read(this.store.getBytes(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(15))).orElseThrow())
					.find("life_yank")
					.orElseThrow()
					.version()
					.value())
			.isEqualTo("1.0.0");
		assertThat(seedControl("life_yank")).contains("default_version = '1.0.0'");
		assertThat(this.store.head(seedKey("share/extension/life_yank--1.1.0.sql"))).isEmpty();
		// the next highest release is current now, in search too
		JsonNode found = api().getTemplate("/api/v1/search?q={q}", null, "life_yank").json();
		assertThat(found.path("total").asLong()).isEqualTo(1);
		assertThat(found.path("hits").get(0).path("version").asString()).isEqualTo("1.0.0");
		RegistryClient.Response exact = api().get("/api/v1/distributions/life_yank/versions/1.1.0", null);
		assertThat(exact.status()).isEqualTo(200);
		assertThat(exact.json().get(0).path("version").asString()).isEqualTo("1.1.0");
		assertThat(api().get("/api/v1/extensions/life_yank/versions/1.1.0", null).status()).isEqualTo(200);
		String digest = exact.json().get(0).path("files").get(0).path("sha256").asString();
		assertThat(api().get("/api/v1/files/" + digest, null).status()).isEqualTo(200);
		assertThat(
				api().postJson("/api/v1/distributions/life_yank/versions/1.1.0/yank", owner, Map.of("reason", "again"))
					.problemType())
			.isEqualTo(PROBLEMS + "already-yanked");

		RegistryClient.Response unyanked = api().delete("/api/v1/distributions/life_yank/versions/1.1.0/yank", owner);
		assertThat(unyanked.status()).as(unyanked.toString()).isEqualTo(200);
		awaitOperation(unyanked.json().path("store_operation").asString(), owner);
		assertThat(manifestVersion("life_yank")).isEqualTo("1.1.0");
		assertThat(seedControl("life_yank")).contains("default_version = '1.1.0'");
		assertThat(api().getTemplate("/api/v1/search?q={q}", null, "life_yank").json().path("total").asLong())
			.isEqualTo(1);
		assertThat(eventTypes("life_yank")).containsExactly("release.published", "release.published", "release.yanked",
				"release.unyanked");
	}

	@Test
	void anOwnerDeprecatesAndHandsADistributionOverToAUserWhoAccepts() {
		String owner = userToken("life-first-owner", null, "publish");
		String heir = userToken("life-heir", null, "publish");
		String other = userToken("life-other", null, "publish");
		publishVersion(owner, "life_old", "1.0.0");
		publishVersion(owner, "life_new", "1.0.0");

		RegistryClient.Response deprecated = api().postJson("/api/v1/distributions/life_old/deprecation", owner,
				Map.of("successor", "life_new", "reason", "renamed"));
		assertThat(deprecated.status()).as(deprecated.toString()).isEqualTo(200);
		assertThat(deprecated.json().path("deprecated").asBoolean()).isTrue();
		assertThat(deprecated.json().path("successor").asString()).isEqualTo("life_new");
		assertThat(api().postJson("/api/v1/distributions/life_old/deprecation", owner, Map.of("successor", "nope"))
			.status()).isEqualTo(404);

		assertThat(api().postJson("/api/v1/distributions/life_old/ownership-offer", heir, Map.of("to", "life-other"))
			.status()).isEqualTo(403);
		RegistryClient.Response offered = api().postJson("/api/v1/distributions/life_old/ownership-offer", owner,
				Map.of("to", "life-heir"));
		assertThat(offered.status()).as(offered.toString()).isEqualTo(200);
		assertThat(offered.json().path("ownership_offered_to").asString()).isEqualTo("life-heir");
		assertThat(api().postJson("/api/v1/distributions/life_old/ownership-offer/accept", other, Map.of()).status())
			.isEqualTo(403);
		assertThat(api().get("/api/v1/distributions/life_old/lifecycle", null).json().path("owners"))
			.extracting(JsonNode::asString)
			.containsExactly("life-first-owner");

		RegistryClient.Response accepted = api().postJson("/api/v1/distributions/life_old/ownership-offer/accept", heir,
				Map.of());
		assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
		assertThat(accepted.json().path("owners")).extracting(JsonNode::asString).containsExactly("life-heir");
		assertThat(accepted.json().path("ownership_offered_to").isMissingNode()).isTrue();
		JsonNode maintainers = api().get("/api/v1/distributions/life_old/maintainers", null).json();
		assertThat(maintainers).extracting((m) -> m.path("user").asString() + ":" + m.path("role").asString())
			.containsExactlyInAnyOrder("life-heir:owner", "life-first-owner:maintainer");
		assertThat(api().postJson("/api/v1/distributions/life_old/ownership-offer", owner, Map.of("to", "life-other"))
			.status()).isEqualTo(403);
		assertThat(eventTypes("life_old")).containsExactly("release.published", "distribution.deprecated",
				"ownership.offered", "ownership.transferred");
	}

	@Test
	void theAdministratorRegeneratesEveryIndexAsALongRunningOperation() {
		publishVersion(ADMIN_TOKEN, "life_regen", "1.0.0");
		this.store.delete(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(15)));
		assertThat(
				api().postJson("/api/v1/admin/indexes/regenerate", userToken("life-nobody", null, "publish"), Map.of())
					.status())
			.isEqualTo(403);
		RegistryClient.Response accepted = api().postJson("/api/v1/admin/indexes/regenerate", ADMIN_TOKEN, Map.of());
		assertThat(accepted.status()).isEqualTo(202);
		assertThat(accepted.headers().getLocation().toString()).startsWith("/api/v1/operations/");
		JsonNode operation = awaitOperation(accepted.headers().getLocation().toString(), ADMIN_TOKEN);
		assertThat(operation.path("state").asString()).as(operation.toString()).isEqualTo("succeeded");
		assertThat(operation.path("progress").asInt()).isEqualTo(100);
		assertThat(operation.path("result").path("targets").asInt()).isPositive();
		assertThat(
				ExtIndexJson.read(this.store.getBytes(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(15))).orElseThrow())
					.find("life_regen"))
			.isPresent();
		assertThat(api().get(accepted.headers().getLocation().toString(), null).status()).isEqualTo(401);
	}

	private void publishVersion(String token, String name, String version) {
		byte[] artifact = TestArtifacts.builder()
			.file("share/extension/" + name + ".control",
					"comment = 'lifecycle test'\ndefault_version = '" + version + "'\nrelocatable = true\n")
			.file("share/extension/" + name + "--" + version + ".sql",
					"CREATE FUNCTION " + name + "_v() RETURNS text LANGUAGE sql AS $$SELECT '" + version + "'$$;\n")
			.tarGz();
		RegistryClient.Response response = publish(token, null, TestArtifacts.metadata(name, version),
				Map.of("pg15", artifact));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

	private String manifestVersion(String name) {
		JsonNode manifest = api().get("/api/v1/compute-manifests/15", null).json();
		for (JsonNode entry : manifest.path("extensions")) {
			if (entry.path("name").asString().equals(name)) {
				return entry.path("version").asString();
			}
		}
		return null;
	}

	private String seedControl(String name) {
		return new String(this.store.getBytes(seedKey("share/extension/" + name + ".control")).orElseThrow(),
				java.nio.charset.StandardCharsets.UTF_8);
	}

	private static String seedKey(String path) {
		return StoreLayout.seedFile(Scope.PUBLIC, PgMajor.of(15), path);
	}

	private List<String> eventTypes(String subject) {
		return this.jdbc.sql("select type from event where subject = ? order by id")
			.param(subject)
			.query(String.class)
			.list();
	}

}
