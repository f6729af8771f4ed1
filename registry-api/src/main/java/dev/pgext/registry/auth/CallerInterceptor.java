package dev.pgext.registry.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerInterceptor;

import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * Resolves the bearer token of every API request into a {@link Caller}. It runs inside
 * the dispatcher (not as a servlet filter) so that a bad token becomes a problem response
 * through the same advice as every other error.
 */
class CallerInterceptor implements HandlerInterceptor {

	static final String ATTRIBUTE = Caller.class.getName();

	private final Tokens tokens;

	CallerInterceptor(Tokens tokens) {
		this.tokens = tokens;
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		String header = request.getHeader(HttpHeaders.AUTHORIZATION);
		Caller caller = Caller.ANONYMOUS;
		if (header != null && !header.isBlank()) {
			if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
				throw RegistryException.unauthenticated("invalid-token",
						"the Authorization header must be 'Bearer <token>'");
			}
			caller = this.tokens.resolve(header.substring(7).strip());
		}
		request.setAttribute(ATTRIBUTE, caller);
		return true;
	}

}
