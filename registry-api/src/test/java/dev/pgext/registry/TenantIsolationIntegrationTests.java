package dev.pgext.registry;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one tenant can do to, and learn about, what belongs to another, or to everyone:
 * the lifecycle and maintainer endpoints answer another tenant the same for a private
 * name that exists and one that does not, a lifecycle change needs the token a publish
 * needs, and the bundles and pins every tenant shares are out of a tenant's reach.
 */
class TenantIsolationIntegrationTests extends RegistryIntegrationTest {

	@Test
	void anotherTenantCannotTellAPrivateDistributionFromAnUnknownOneByChangingIt() {
		String owner = userToken("iso-probe-owner", "iso-probed", "publish");
		RegistryClient.Response published = publish(owner, "iso-probed", TestArtifacts.metadata("iso_hidden", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("iso_hidden").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);
		String outsider = userToken("iso-prober", "iso-prober", "publish");

		Map<String, BiFunction<String, String, RegistryClient.Response>> changes = Map.of("yank",
				(name, token) -> api().postJson("/api/v1/distributions/"
						+ name + "/versions/1.0.0/yank?tenant=iso-probed", token, Map.of("reason", "probing")),
				"unyank",
				(name, token) -> api()
					.delete("/api/v1/distributions/" + name + "/versions/1.0.0/yank?tenant=iso-probed", token),
				"deprecate",
				(name, token) -> api().postJson("/api/v1/distributions/" + name + "/deprecation?tenant=iso-probed",
						token, Map.of("reason", "probing")),
				"undeprecate",
				(name, token) -> api().delete("/api/v1/distributions/" + name + "/deprecation?tenant=iso-probed",
						token),
				"offer",
				(name, token) -> api().postJson("/api/v1/distributions/" + name + "/ownership-offer?tenant=iso-probed",
						token, Map.of("to", "iso-prober")),
				"accept",
				(name, token) -> api().postJson(
						"/api/v1/distributions/" + name + "/ownership-offer/accept?tenant=iso-probed", token, Map.of()),
				"add maintainer",
				(name, token) -> api().postJson("/api/v1/distributions/" + name + "/maintainers?tenant=iso-probed",
						token, Map.of("user", "iso-prober")));
		changes.forEach((what, change) -> {
			RegistryClient.Response existing = change.apply("iso_hidden", outsider);
			RegistryClient.Response unknown = change.apply("iso_nothing", outsider);
			assertThat(existing.status()).as(what + ": " + existing).isEqualTo(403);
			assertThat(existing.text().replace("iso_hidden", "<name>")).as(what)
				.isEqualTo(unknown.text().replace("iso_nothing", "<name>"));
		});
		// and nothing changed
		RegistryClient.Response state = api().get("/api/v1/distributions/iso_hidden/lifecycle?tenant=iso-probed",
				owner);
		assertThat(state.json().path("deprecated").asBoolean()).isFalse();
		assertThat(state.json().path("owners")).hasSize(1);
		assertThat(state.json().has("ownership_offered_to")).isFalse();
		assertThat(state.json().path("releases").get(0).path("yanked").asBoolean()).isFalse();
	}

	@Test
	void aTokenWithoutPublishCannotChangeWhatItsUserMaintains() {
		api().postJson("/api/v1/users", ADMIN_TOKEN, Map.of("name", "iso-narrow", "tenant", "iso-narrow"));
		String publisher = token("iso-narrow", "publish");
		String approverOnly = token("iso-narrow", "bundle-approver");
		RegistryClient.Response published = publish(publisher, "iso-narrow",
				TestArtifacts.metadata("iso_narrow", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("iso_narrow").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);
		userToken("iso-narrow-heir", "iso-narrow", "publish");

		String base = "/api/v1/distributions/iso_narrow";
		for (RegistryClient.Response refused : List.of(
				api().postJson(base + "/versions/1.0.0/yank?tenant=iso-narrow", approverOnly,
						Map.of("reason", "a narrow token")),
				api().postJson(base + "/deprecation?tenant=iso-narrow", approverOnly, Map.of("reason", "narrow")),
				api().postJson(base + "/ownership-offer?tenant=iso-narrow", approverOnly,
						Map.of("to", "iso-narrow-heir")),
				api().postJson(base + "/maintainers?tenant=iso-narrow", approverOnly,
						Map.of("user", "iso-narrow-heir")))) {
			PublishHardeningIntegrationTests.assertProblem(refused, 403, "forbidden");
			assertThat(refused.json().path("detail").asString()).contains("publish");
		}
		RegistryClient.Response state = api().get(base + "/lifecycle?tenant=iso-narrow", publisher);
		assertThat(state.json().path("deprecated").asBoolean()).isFalse();
		assertThat(state.json().has("ownership_offered_to")).isFalse();
		assertThat(state.json().path("releases").get(0).path("yanked").asBoolean()).isFalse();
		assertThat(api().get(base + "/maintainers?tenant=iso-narrow", publisher).json()).hasSize(1);

		// the publish token of the same user may
		RegistryClient.Response yanked = api().postJson(base + "/versions/1.0.0/yank?tenant=iso-narrow", publisher,
				Map.of("reason", "a publish token"));
		assertThat(yanked.status()).as(yanked.toString()).isEqualTo(200);
	}

	@Test
	void aDistributionIsOfferedOrGivenOnlyToUsersWhoMayPublishIntoItsScope() {
		String owner = userToken("iso-public-owner", null, "publish");
		RegistryClient.Response published = publish(owner, null, TestArtifacts.metadata("iso_public", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("iso_public").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);
		String tenantUser = userToken("iso-tenant-maintainer", "iso-elsewhere", "publish");
		String privateOwner = userToken("iso-private-owner", "iso-private", "publish");
		published = publish(privateOwner, "iso-private", TestArtifacts.metadata("iso_private", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("iso_private").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);

		// a tenant's token reaches no compute outside its tenant, so a tenant's user is
		// neither made maintainer nor offered the ownership of a public distribution, nor
		// a
		// user of no tenant or of another tenant those of a private one: it could never
		// act on it
		for (RegistryClient.Response refused : List.of(
				api().postJson("/api/v1/distributions/iso_public/maintainers", owner,
						Map.of("user", "iso-tenant-maintainer")),
				api().postJson("/api/v1/distributions/iso_private/maintainers?tenant=iso-private", privateOwner,
						Map.of("user", "iso-public-owner")),
				api().postJson("/api/v1/distributions/iso_private/maintainers?tenant=iso-private", privateOwner,
						Map.of("user", "iso-tenant-maintainer")))) {
			PublishHardeningIntegrationTests.assertProblem(refused, 400, "invalid-maintainer");
			assertThat(refused.json().path("detail").asString()).contains("cannot publish into the");
		}
		for (RegistryClient.Response refused : List.of(
				api().postJson("/api/v1/distributions/iso_public/ownership-offer", owner,
						Map.of("to", "iso-tenant-maintainer")),
				api().postJson("/api/v1/distributions/iso_private/ownership-offer?tenant=iso-private", privateOwner,
						Map.of("to", "iso-public-owner")))) {
			PublishHardeningIntegrationTests.assertProblem(refused, 400, "invalid-offer");
		}

		// nor does its token change a public distribution
		RegistryClient.Response yank = api().postJson("/api/v1/distributions/iso_public/versions/1.0.0/yank",
				tenantUser, Map.of("reason", "from a tenant"));
		PublishHardeningIntegrationTests.assertProblem(yank, 403, "forbidden");
		PublishHardeningIntegrationTests.assertProblem(api().postJson("/api/v1/distributions/iso_public/deprecation",
				tenantUser, Map.of("reason", "from a tenant")), 403, "forbidden");
		PublishHardeningIntegrationTests.assertProblem(
				api().postJson("/api/v1/distributions/iso_public/ownership-offer/accept", tenantUser, Map.of()), 403,
				"forbidden");
		RegistryClient.Response state = api().get("/api/v1/distributions/iso_public/lifecycle", null);
		assertThat(state.json().path("releases").get(0).path("yanked").asBoolean()).isFalse();
		assertThat(state.json().path("deprecated").asBoolean()).isFalse();
		assertThat(state.json().has("ownership_offered_to")).isFalse();
		assertThat(state.json().path("owners")).extracting((n) -> n.asString()).containsExactly("iso-public-owner");
		assertThat(api().get("/api/v1/distributions/iso_public/maintainers", null).json()).hasSize(1);
		assertThat(api().get("/api/v1/distributions/iso_private/maintainers?tenant=iso-private", privateOwner).json())
			.hasSize(1);

		// a user of the same scope may
		userToken("iso-private-colleague", "iso-private", "publish");
		assertThat(api()
			.postJson("/api/v1/distributions/iso_private/maintainers?tenant=iso-private", privateOwner,
					Map.of("user", "iso-private-colleague"))
			.status()).isEqualTo(201);
	}

	@Test
	void tenantTokensCannotRegisterBundlesNorProposeNorApprovePins() {
		byte[] bytes = "a bundle a tenant would pin".getBytes(StandardCharsets.UTF_8);
		String hex = Sha256Digest.of(bytes).hex();
		this.store.put(StoreLayout.bundle(Sha256Digest.of(bytes)), bytes, "application/zstd");
		Map<String, Object> bundle = Map.of("sha256", hex, "size", bytes.length, "pg_versions", Map.of("17", "17.11"),
				"manifest", Map.of("launcher", "LAUNCHER"));
		String tenantPublisher = userToken("iso-pin-publisher", "iso-pins", "publish", "bundle-approver");
		String tenantApprover = userToken("iso-pin-approver", "iso-pins-too", "bundle-approver");

		RegistryClient.Response registered = api().postJson("/api/v1/bundles", tenantPublisher, bundle);
		PublishHardeningIntegrationTests.assertProblem(registered, 403, "forbidden");
		assertThat(registered.json().path("detail").asString()).contains("iso-pins");
		assertThat(api().get("/api/v1/bundles/" + hex, null).status()).isEqualTo(404);

		assertThat(api().postJson("/api/v1/bundles", ADMIN_TOKEN, bundle).status()).isEqualTo(201);
		PublishHardeningIntegrationTests.assertProblem(api().postJson("/api/v1/bundle-pins/iso-production/proposals",
				tenantPublisher, Map.of("sha256", hex, "reason", "from a tenant")), 403, "forbidden");
		RegistryClient.Response proposed = api().postJson("/api/v1/bundle-pins/iso-production/proposals", ADMIN_TOKEN,
				Map.of("sha256", hex, "reason", "rollout"));
		assertThat(proposed.status()).as(proposed.toString()).isEqualTo(201);
		RegistryClient.Response approved = api().postJson(
				"/api/v1/bundle-pins/iso-production/proposals/" + proposed.json().path("id").asLong() + "/approve",
				tenantApprover, Map.of());
		PublishHardeningIntegrationTests.assertProblem(approved, 403, "forbidden");
		assertThat(api().get("/api/v1/bundle-pins/iso-production", null).status()).isEqualTo(404);
	}

	@Test
	void aWebhookWithANullEventTypeIsABadRequest() {
		String token = userToken("iso-hook", "iso-hooks", "publish");
		RegistryClient.Response response = api().postJson("/api/v1/webhooks", token,
				Map.of("url", "https://93.184.215.14/hook", "event_types", java.util.Arrays.asList((String) null),
						"secret", "at-least-16-characters"));
		PublishHardeningIntegrationTests.assertProblem(response, 400, "invalid-argument");
		assertThat(response.json().path("detail").asString()).contains("event_types");
	}

	@Test
	void anotherUsersTokenIsNotFoundWhenRevokedAsAnUnknownOneIs() {
		api().postJson("/api/v1/users", ADMIN_TOKEN, Map.of("name", "iso-token-owner", "tenant", "iso-tokens"));
		RegistryClient.Response created = api().postJson("/api/v1/tokens", ADMIN_TOKEN,
				Map.of("user", "iso-token-owner", "scopes", List.of("publish")));
		long id = created.json().path("id").asLong();
		String owned = created.json().path("token").asString();
		String outsider = userToken("iso-token-prober", "iso-token-probers", "publish");

		RegistryClient.Response existing = api().postJson("/api/v1/tokens/" + id + "/revoke", outsider, Map.of());
		RegistryClient.Response unknown = api().postJson("/api/v1/tokens/" + (id + 1_000_000) + "/revoke", outsider,
				Map.of());
		PublishHardeningIntegrationTests.assertProblem(existing, 404, "not-found");
		PublishHardeningIntegrationTests.assertProblem(unknown, 404, "not-found");
		assertThat(existing.json().path("detail").asString()).isEqualTo("no token " + id);
		assertThat(unknown.json().path("detail").asString()).isEqualTo("no token " + (id + 1_000_000));
		assertThat(existing.json().propertyNames()).isEqualTo(unknown.json().propertyNames());
		// still in force, and its owner and an administrator may revoke it
		assertThat(api().get("/api/v1/me", owned).status()).isEqualTo(200);
		assertThat(api().postJson("/api/v1/tokens/" + id + "/revoke", owned, Map.of()).status()).isEqualTo(200);
		assertThat(api().get("/api/v1/me", owned).status()).isEqualTo(401);
		assertThat(api().postJson("/api/v1/tokens/" + id + "/revoke", ADMIN_TOKEN, Map.of()).status()).isEqualTo(200);
	}

	/** A new token of the existing user {@code user}. */
	private String token(String user, String... scopes) {
		RegistryClient.Response created = api().postJson("/api/v1/tokens", ADMIN_TOKEN,
				Map.of("user", user, "scopes", List.of(scopes)));
		assertThat(created.status()).as(created.toString()).isEqualTo(201);
		return created.json().path("token").asString();
	}

}
