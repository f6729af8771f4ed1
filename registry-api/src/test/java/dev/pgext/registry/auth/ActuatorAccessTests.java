package dev.pgext.registry.auth;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The actuator's access check against a database that refuses every connection (port 1 of
 * the loopback address): a health probe that sends a token still learns the status, while
 * the metrics, which need the token's scope, answer a 503 to retry.
 */
class ActuatorAccessTests {

	private final ActuatorAccess access = new ActuatorAccess(
			new Tokens(JdbcClient.create(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/registry"))), false,
			JsonMapper.builder().build());

	@Test
	void aHealthProbeWithATokenIsAnsweredAsAnonymousWhileTheDatabaseIsDown() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();

		this.access.doFilter(request("/actuator/health/liveness"), response, chain);

		assertThat(chain.getRequest()).as("the health endpoint runs").isNotNull();
		assertThat(((HttpServletRequest) chain.getRequest()).getUserPrincipal()).isNull();
		assertThat(response.getStatus()).isEqualTo(200);
	}

	@Test
	void theMetricsWithATokenAreA503ToRetryWhileTheDatabaseIsDown() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();

		this.access.doFilter(request("/actuator/prometheus"), response, chain);

		assertThat(chain.getRequest()).as("the metrics endpoint does not run").isNull();
		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getHeader("Retry-After")).isEqualTo("5");
		assertThat(response.getContentType()).isEqualTo("application/problem+json");
		assertThat(response.getContentAsString())
			.contains("\"type\":\"https://pgext.dev/problems/database-unavailable\"");
	}

	private static MockHttpServletRequest request(String path) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
		request.addHeader("Authorization", "Bearer pgx_some-token");
		return request;
	}

}
