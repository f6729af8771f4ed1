package dev.pgext.registry.auth;

import java.io.IOException;
import java.security.Principal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.registry.problem.RetryLaterException;

/**
 * Guards the actuator, which the token interceptor of the API does not see. Anyone may
 * ask whether the registry is up ({@code /actuator/health} and its probes, without
 * details); metrics ({@code /actuator/metrics}, {@code /actuator/prometheus}) and health
 * details (disk path and free bytes, bucket, database) need a token with scope
 * {@code admin} or {@code metrics}. Such a caller reaches the actuator as an
 * authenticated principal, which is what
 * {@code management.endpoint.health.show-details=when-authorized} looks for.
 * {@code pgext.registry.actuator.public-metrics=true} opens the metrics to anonymous
 * scrapers where the network already limits who can reach the registry (the local stack).
 */
class ActuatorAccess extends OncePerRequestFilter {

	private final Tokens tokens;

	private final boolean publicMetrics;

	private final HandlerExceptionResolver problems;

	/**
	 * @param problems the application's exception resolvers, so that a refusal here is
	 * the same problem (body and headers) as the API's, written by its advice
	 */
	ActuatorAccess(Tokens tokens, boolean publicMetrics, HandlerExceptionResolver problems) {
		this.tokens = tokens;
		this.publicMetrics = publicMetrics;
		this.problems = problems;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Caller caller = Caller.ANONYMOUS;
		String header = request.getHeader(HttpHeaders.AUTHORIZATION);
		try {
			String path = request.getRequestURI().substring(request.getContextPath().length());
			boolean metrics = path.startsWith("/actuator/metrics") || path.startsWith("/actuator/prometheus");
			if (header != null && !header.isBlank()) {
				if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
					throw RegistryException.unauthenticated("invalid-token",
							"the Authorization header must be 'Bearer <token>'");
				}
				caller = resolve(header.substring(7).strip(), metrics);
			}
			boolean trusted = caller.isAdmin() || caller.scopes().contains(Caller.METRICS);
			if (metrics && !trusted && !this.publicMetrics) {
				caller.requireScope(Caller.ADMIN, Caller.METRICS);
			}
			chain.doFilter(trusted ? authenticated(request, caller) : request, response);
		}
		catch (RegistryException ex) {
			if (this.problems.resolveException(request, response, null, ex) == null) {
				throw ex;
			}
		}
	}

	/**
	 * The caller a token names. When the database does not answer, the health endpoints
	 * answer as to an anonymous caller (status without details: a probe that sends a
	 * token must still learn that the registry is down, not be refused), and the metrics,
	 * which need the token's scope, a 503 (this filter runs before the controllers' error
	 * handling).
	 */
	private Caller resolve(String token, boolean metrics) {
		try {
			return this.tokens.resolve(token);
		}
		catch (DataAccessResourceFailureException | CannotCreateTransactionException ex) {
			if (!metrics) {
				return Caller.ANONYMOUS;
			}
			throw RetryLaterException.databaseUnavailable();
		}
	}

	private static HttpServletRequest authenticated(HttpServletRequest request, Caller caller) {
		Principal principal = caller::name;
		return new HttpServletRequestWrapper(request) {

			@Override
			public Principal getUserPrincipal() {
				return principal;
			}

			@Override
			public boolean isUserInRole(String role) {
				return caller.scopes().contains(role);
			}

		};
	}

}
