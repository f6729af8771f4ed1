package dev.pgext.registry.web;

import java.util.Optional;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

import dev.pgext.registry.auth.Tokens;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * Runs before every handler of this package (and no other): resolves the session's API
 * token into the {@link Caller} the controllers receive, and refuses any state-changing
 * request whose form does not carry the session's CSRF token. Checking here rather than
 * in each handler means a new form cannot forget it.
 */
class WebInterceptor implements HandlerInterceptor {

	/**
	 * The request attribute the auth package's argument resolver reads a {@link Caller}
	 * from.
	 */
	static final String CALLER = Caller.class.getName();

	/**
	 * The request attribute holding the current {@link WebSessions.WebSession}, if any.
	 */
	static final String SESSION = WebSessions.WebSession.class.getName();

	/** The form field carrying the CSRF token. */
	static final String CSRF_FIELD = "_csrf";

	private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

	private final WebSessions sessions;

	private final Tokens tokens;

	WebInterceptor(WebSessions sessions, Tokens tokens) {
		this.sessions = sessions;
		this.tokens = tokens;
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		if (!(handler instanceof HandlerMethod method)
				|| !method.getBeanType().getPackageName().equals(WebInterceptor.class.getPackageName())) {
			return true;
		}
		Optional<WebSessions.WebSession> session = this.sessions.current(request);
		if (!SAFE.contains(request.getMethod())) {
			if (session.isEmpty() || !session.get().acceptsCsrf(request.getParameter(CSRF_FIELD))) {
				throw RegistryException.forbidden("this form has expired or did not come from this site's pages; "
						+ "reload the page and send it again");
			}
		}
		Caller caller = Caller.ANONYMOUS;
		if (session.isPresent() && session.get().signedIn()) {
			try {
				caller = this.tokens.resolve(session.get().token());
			}
			catch (RegistryException ex) {
				// revoked or expired since sign-in: the session ends with the token
				this.sessions.forget(session.get());
				session = Optional.empty();
			}
		}
		session.ifPresent((s) -> request.setAttribute(SESSION, s));
		request.setAttribute(CALLER, caller);
		return true;
	}

}
