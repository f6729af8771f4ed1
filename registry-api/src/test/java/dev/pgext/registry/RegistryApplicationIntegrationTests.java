package dev.pgext.registry;

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
		RegistryClient.Response response = api().get("/actuator/health", null);
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
				"/api/v1/compute-manifests/{pgMajor}", "/api/v1/search", "/api/v1/bundles");
	}

	@Test
	void prometheusExposesRegistryMetrics() {
		api().get("/api/v1/search?q=anything", null);
		api().get("/api/v1/compute-manifests/15", null);
		String metrics = api().get("/actuator/prometheus", null).text();
		assertThat(metrics).contains("pgext_registry_search_seconds_count", "pgext_registry_manifest_requests_total");
	}

	@Test
	void theBootstrapAdministratorIsKnown() {
		JsonNode me = api().get("/api/v1/me", ADMIN_TOKEN).json();
		assertThat(me.path("user").asString()).isEqualTo("admin");
		assertThat(me.path("scopes")).extracting(JsonNode::asString).contains("admin", "publish");
	}

}
