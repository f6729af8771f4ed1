package dev.pgext.registry.auth;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.ModelAndView;

import dev.pgext.registry.problem.RetryLaterException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The actuator's access check against a database that refuses every connection (port 1 of
 * the loopback address): a health probe that sends a token still learns the status, while
 * the metrics, which need the token's scope, are refused with the 503 to retry (written
 * by the application's problem advice, as {@code ProblemAdviceTests} and the access
 * integration tests show).
 */
class ActuatorAccessTests {

	private final List<Exception> refused = new ArrayList<>();

	private final ActuatorAccess access = new ActuatorAccess(
			new Tokens(JdbcClient.create(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/registry"))), false,
			(request, response, handler, ex) -> {
				this.refused.add(ex);
				return new ModelAndView();
			});

	@Test
	void aHealthProbeWithATokenIsAnsweredAsAnonymousWhileTheDatabaseIsDown() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();

		this.access.doFilter(request("/actuator/health/liveness"), response, chain);

		assertThat(chain.getRequest()).as("the health endpoint runs").isNotNull();
		assertThat(((HttpServletRequest) chain.getRequest()).getUserPrincipal()).isNull();
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(this.refused).isEmpty();
	}

	@Test
	void theMetricsWithATokenAreA503ToRetryWhileTheDatabaseIsDown() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();

		this.access.doFilter(request("/actuator/prometheus"), response, chain);

		assertThat(chain.getRequest()).as("the metrics endpoint does not run").isNull();
		assertThat(this.refused).singleElement()
			.isInstanceOfSatisfying(RetryLaterException.class,
					(ex) -> assertThat(ex.type()).hasToString("https://pgext.dev/problems/database-unavailable"));
	}

	private static MockHttpServletRequest request(String path) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
		request.addHeader("Authorization", "Bearer pgx_some-token");
		return request;
	}

}
