package dev.pgext.registry;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry starts against a real PostgreSQL and a real S3 endpoint, reports both
 * healthy, and describes and measures itself.
 */
class RegistryApplicationIntegrationTests extends RegistryIntegrationTest {

	@Test
	void healthIsUpWithTheDatabaseAndTheStore() {
		// the components are details: an admin (or metrics) token sees them
		RegistryClient.Response response = api().get("/actuator/health", ADMIN_TOKEN);
		assertThat(response.status()).isEqualTo(200);
		JsonNode health = response.json();
		assertThat(health.path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("db").path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("s3").path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("readinessState").path("status").asString()).isEqualTo("UP");
	}

	@Test
	void openApiDocumentDescribesThePublicApi() {
		RegistryClient.Response response = api().get("/v3/api-docs", null);
		assertThat(response.status()).isEqualTo(200);
		JsonNode openApi = response.json();
		assertThat(openApi.path("openapi").asString()).startsWith("3.1");
		assertThat(openApi.path("paths").propertyNames()).contains("/api/v1/releases",
				"/api/v1/compute-manifests/{pgMajor}", "/api/v1/search", "/api/v1/bundles", "/api/v1/operations/{id}",
				"/api/v1/webhooks", "/api/v1/feeds/releases.atom", "/api/v1/bundle-pins/{environment}",
				"/api/v1/distributions/{name}/versions/{version}/yank", "/api/v1/admin/mirror/rebuild");
	}

	@Test
	void prometheusExposesRegistryMetrics() {
		api().get("/api/v1/search?q=anything", null);
		api().get("/api/v1/compute-manifests/15", null);
		String metrics = api().get("/actuator/prometheus", ADMIN_TOKEN).text();
		assertThat(metrics).contains("pgext_registry_search_seconds_count", "pgext_registry_manifest_requests_total");
	}

	@Test
	void springMvcErrorsAreProblemsToo() {
		RegistryClient.Response unknown = api().get("/api/v1/no-such-thing", null);
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.problemType()).isEqualTo("https://pgext.dev/problems/not-found");
		RegistryClient.Response missing = api().get("/api/v1/search", null);
		assertThat(missing.status()).isEqualTo(400);
		assertThat(missing.problemType()).isEqualTo("https://pgext.dev/problems/bad-request");
		RegistryClient.Response badDigest = api().get("/api/v1/files/not-a-digest", null);
		assertThat(badDigest.status()).isEqualTo(400);
		assertThat(badDigest.problemType()).isEqualTo("https://pgext.dev/problems/invalid-argument");
		RegistryClient.Response badPage = api().get("/api/v1/extensions?size=0", null);
		assertThat(badPage.status()).isEqualTo(400);
	}

	@Test
	void searchTakesAnyTextWithoutFailing() {
		for (String query : List.of("' & | ! ( :*", "it's", "\\", "a <-> b", "-", "%_")) {
			RegistryClient.Response response = api().getTemplate("/api/v1/search?q={q}", null, query);
			assertThat(response.status()).as(query + " -> " + response).isEqualTo(200);
		}
	}

	@Test
	void revokedTokensStopWorking() {
		api().postJson("/api/v1/users", ADMIN_TOKEN, Map.of("name", "short-lived"));
		JsonNode created = api()
			.postJson("/api/v1/tokens", ADMIN_TOKEN, Map.of("user", "short-lived", "scopes", List.of("publish")))
			.json();
		String token = created.path("token").asString();
		assertThat(api().get("/api/v1/me", token).json().path("user").asString()).isEqualTo("short-lived");
		assertThat(
				api().postJson("/api/v1/tokens/" + created.path("id").asLong() + "/revoke", token, Map.of()).status())
			.isEqualTo(200);
		RegistryClient.Response after = api().get("/api/v1/me", token);
		assertThat(after.status()).isEqualTo(401);
		assertThat(after.problemType()).isEqualTo("https://pgext.dev/problems/invalid-token");
		// only the hash is stored
		assertThat(this.jdbc.sql("select count(*) from api_token where token_hash = ?")
			.param(token)
			.query(Long.class)
			.single()).isZero();
	}

	@Test
	void tokensCannotGrantMoreThanTheyHave() {
		api().postJson("/api/v1/users", ADMIN_TOKEN, Map.of("name", "modest"));
		String publisher = api()
			.postJson("/api/v1/tokens", ADMIN_TOKEN, Map.of("user", "modest", "scopes", List.of("publish")))
			.json()
			.path("token")
			.asString();
		RegistryClient.Response escalation = api().postJson("/api/v1/tokens", publisher,
				Map.of("scopes", List.of("admin")));
		assertThat(escalation.status()).isEqualTo(403);
		assertThat(api().postJson("/api/v1/users", publisher, Map.of("name", "sneaky")).status()).isEqualTo(403);
	}

	@Test
	void theBootstrapAdministratorIsKnown() {
		JsonNode me = api().get("/api/v1/me", ADMIN_TOKEN).json();
		assertThat(me.path("user").asString()).isEqualTo("admin");
		assertThat(me.path("scopes")).extracting(JsonNode::asString).contains("admin", "publish");
	}

}
