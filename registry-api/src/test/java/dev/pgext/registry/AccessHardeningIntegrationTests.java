package dev.pgext.registry;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a curious client learns: tokens stay within what their user may hold, private
 * digests cannot be told from unknown ones, private files are not cached by shared
 * caches, and the actuator shows health details and metrics only to tokens meant for
 * that.
 */
class AccessHardeningIntegrationTests extends RegistryIntegrationTest {

	private static final String PROBLEMS = "https://pgext.dev/problems/";

	@Test
	void aTenantUserNeverHoldsAdmin() {
		api().postJson("/api/v1/users", ADMIN_TOKEN, Map.of("name", "tenant-would-be-admin", "tenant", "umbrella"));
		RegistryClient.Response response = api().postJson("/api/v1/tokens", ADMIN_TOKEN,
				Map.of("user", "tenant-would-be-admin", "scopes", List.of("publish", "admin")));
		PublishHardeningIntegrationTests.assertProblem(response, 400, "invalid-scope");
		assertThat(response.json().path("detail").asString()).contains("umbrella").contains("'admin'");
		assertThat(this.jdbc
			.sql("select count(*) from api_token t join registry_user u on u.id = t.user_id "
					+ "where u.name = 'tenant-would-be-admin'")
			.query(Long.class)
			.single()).isZero();
	}

	@Test
	void aParameterOrBodyThatBreaksItsConstraintIsNamedInTheProblem() {
		RegistryClient.Response size = api().get("/api/v1/search?q=hstore&size=0", null);
		PublishHardeningIntegrationTests.assertProblem(size, 400, "invalid-argument");
		assertThat(size.json().path("detail").asString()).isEqualTo("size: must be greater than or equal to 1");

		RegistryClient.Response scopes = api().postJson("/api/v1/tokens", ADMIN_TOKEN,
				Map.of("user", "admin", "scopes", List.of()));
		PublishHardeningIntegrationTests.assertProblem(scopes, 400, "invalid-argument");
		assertThat(scopes.json().path("detail").asString()).isEqualTo("scopes: must not be empty");

		// a field is named as the client sends it, not as the Java record calls it
		RegistryClient.Response types = api().postJson("/api/v1/webhooks", ADMIN_TOKEN, Map.of("url",
				"https://93.184.215.14/hook", "event_types", List.of(), "secret", "at-least-16-characters"));
		PublishHardeningIntegrationTests.assertProblem(types, 400, "invalid-argument");
		assertThat(types.json().path("detail").asString()).isEqualTo("event_types: must not be empty");
	}

	@Test
	void aTokenLivesAtMostTheConfiguredMaximum() {
		api().postJson("/api/v1/users", ADMIN_TOKEN, Map.of("name", "long-lived"));
		RegistryClient.Response forever = api().postJson("/api/v1/tokens", ADMIN_TOKEN,
				Map.of("user", "long-lived", "scopes", List.of("publish"), "expires_at", "9999-12-31T00:00:00Z"));
		PublishHardeningIntegrationTests.assertProblem(forever, 400, "invalid-expiry");
		assertThat(forever.json().path("detail").asString()).contains("365 days");
		Instant inAYear = Instant.now().plus(364, ChronoUnit.DAYS);
		RegistryClient.Response year = api().postJson("/api/v1/tokens", ADMIN_TOKEN,
				Map.of("user", "long-lived", "scopes", List.of("publish"), "expires_at", inAYear.toString()));
		assertThat(year.status()).as(year.toString()).isEqualTo(201);
	}

	@Test
	void aPrivateDigestAnswersLikeAnUnknownOneToOutsiders() {
		String tenant = userToken("secretco-ci", "secretco", "publish");
		RegistryClient.Response published = publish(tenant, "secretco", TestArtifacts.metadata("secret_ext", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("secret_ext").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);
		String privateDigest = published.json()
			.path("extensions")
			.get(0)
			.path("files")
			.get(0)
			.path("sha256")
			.asString();
		String unknownDigest = "0".repeat(64);
		String other = userToken("otherco-ci", "otherco", "publish");
		for (String token : new String[] { null, other }) {
			RegistryClient.Response hidden = api().get("/api/v1/files/" + privateDigest, token);
			RegistryClient.Response unknown = api().get("/api/v1/files/" + unknownDigest, token);
			assertThat(hidden.status()).isEqualTo(404).isEqualTo(unknown.status());
			// the same answer, but for the digest the caller sent, which the problem's
			// instance repeats
			assertThat(hidden.text().replace(privateDigest, "<digest>"))
				.isEqualTo(unknown.text().replace(unknownDigest, "<digest>"));
		}
		RegistryClient.Response own = api().get("/api/v1/files/" + privateDigest, tenant);
		assertThat(own.status()).isEqualTo(200);
		assertThat(own.headers().getCacheControl()).contains("private").doesNotContain("public");
	}

	@Test
	void aPublicFileMayBeCachedByAnyone() {
		RegistryClient.Response published = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("cached_ext", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("cached_ext").tarGz()));
		String digest = published.json().path("extensions").get(0).path("files").get(0).path("sha256").asString();
		assertThat(api().get("/api/v1/files/" + digest, null).headers().getCacheControl()).contains("public");
	}

	@Test
	void anonymousHealthSaysUpAndNothingMore() {
		RegistryClient.Response health = api().get("/actuator/health", null);
		assertThat(health.status()).isEqualTo(200);
		JsonNode body = health.json();
		assertThat(body.path("status").asString()).isEqualTo("UP");
		assertThat(body.has("components")).isFalse();
		assertThat(health.text()).doesNotContain("diskSpace").doesNotContain("free").doesNotContain("path");
		assertThat(api().get("/actuator/health/readiness", null).status()).isEqualTo(200);
		assertThat(api().get("/actuator/health/liveness", null).status()).isEqualTo(200);

		RegistryClient.Response detailed = api().get("/actuator/health", ADMIN_TOKEN);
		assertThat(detailed.json().path("components").has("diskSpace")).isTrue();
	}

	@Test
	void metricsNeedAnAdminOrMetricsToken() {
		for (String path : new String[] { "/actuator/metrics", "/actuator/prometheus" }) {
			PublishHardeningIntegrationTests.assertProblem(api().get(path, null), 401, "unauthenticated");
			String publisher = userToken("metrics-curious-" + path.length(), null, "publish");
			PublishHardeningIntegrationTests.assertProblem(api().get(path, publisher), 403, "forbidden");
			PublishHardeningIntegrationTests.assertProblem(api().get(path, "pgx_made-up"), 401, "invalid-token");
			assertThat(api().get(path, ADMIN_TOKEN).status()).isEqualTo(200);
		}
		String scraper = userToken("prometheus-scraper", null, "metrics");
		RegistryClient.Response scraped = api().get("/actuator/prometheus", scraper);
		assertThat(scraped.status()).isEqualTo(200);
		assertThat(scraped.text()).contains("pgext_registry");
		// a metrics token is good for nothing else
		PublishHardeningIntegrationTests
			.assertProblem(publish(scraper, null, TestArtifacts.metadata("scraper_pub", "1.0.0"),
					Map.of("pg17", TestArtifacts.sqlExtension("scraper_pub").tarGz())), 403, "forbidden");
	}

}
