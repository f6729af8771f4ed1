package dev.pgext.importer;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pgdata-importer service starts and reports itself healthy and ready, its storage
 * bucket included.
 */
class PgdataImporterApplicationTests extends ImporterIntegrationTestSupport {

	@Test
	void healthAndReadinessAreUp() throws Exception {
		for (String path : new String[] { "/actuator/health", "/actuator/health/readiness" }) {
			HttpResponse<String> response = get(path);
			assertThat(response.statusCode()).as(path).isEqualTo(200);
			assertThat(response.body()).as(path).contains("\"status\":\"UP\"");
		}
	}

	@Test
	void prometheusMetricsAreExported() throws Exception {
		HttpResponse<String> response = get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("jvm_memory_used_bytes").contains("pgext_importer_imports_running");
	}

}
