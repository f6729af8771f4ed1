package dev.pgext.registry.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;

/**
 * Server-side web sessions. The browser holds only a random session id in a
 * {@code Secure; HttpOnly; SameSite=Lax} cookie; the API token it signed in with stays on
 * the server and is resolved again on every request, so revoking or expiring the token
 * ends the session at once. Each session carries its own CSRF synchronizer token. A
 * session is opened only by the sign-in form (never by merely browsing) and replaced by a
 * new id on sign-in, so an id planted before sign-in is worthless afterwards. Sessions
 * live in this instance's memory (bounded, idle ones expire): a restart signs everybody
 * out, and several instances behind one name need sticky sessions.
 */
@Component
class WebSessions {

	static final String COOKIE = "pgext_session";

	/** Signed-in sessions end after this long without a request. */
	static final Duration SIGNED_IN_IDLE = Duration.ofHours(8);

	/** A sign-in form not submitted within this long must be reloaded. */
	static final Duration SIGN_IN_IDLE = Duration.ofMinutes(30);

	private final SecureRandom random = new SecureRandom();

	// two bounded stores, so that a flood of opened sign-in forms cannot evict signed-in
	// users
	private final Cache<String, WebSession> signedIn = Caffeine.newBuilder()
		.maximumSize(50_000)
		.expireAfterAccess(SIGNED_IN_IDLE)
		.build();

	private final Cache<String, WebSession> signingIn = Caffeine.newBuilder()
		.maximumSize(20_000)
		.expireAfterAccess(SIGN_IN_IDLE)
		.build();

	/**
	 * One session.
	 *
	 * @param id the id the cookie holds
	 * @param csrf the synchronizer token every form of this session must send back
	 * @param token the API token signed in with, or {@code null} before sign-in
	 */
	record WebSession(String id, String csrf, String token) {

		boolean signedIn() {
			return this.token != null;
		}

		/**
		 * Whether {@code presented} is this session's CSRF token (compared in constant
		 * time).
		 */
		boolean acceptsCsrf(String presented) {
			return presented != null && MessageDigest.isEqual(this.csrf.getBytes(StandardCharsets.UTF_8),
					presented.getBytes(StandardCharsets.UTF_8));
		}
	}

	/** The session the request's cookie names, if it is still open. */
	Optional<WebSession> current(HttpServletRequest request) {
		Cookie[] cookies = request.getCookies();
		if (cookies == null) {
			return Optional.empty();
		}
		for (Cookie cookie : cookies) {
			if (COOKIE.equals(cookie.getName()) && cookie.getValue() != null) {
				WebSession session = this.signedIn.getIfPresent(cookie.getValue());
				if (session == null) {
					session = this.signingIn.getIfPresent(cookie.getValue());
				}
				if (session != null) {
					return Optional.of(session);
				}
			}
		}
		return Optional.empty();
	}

	/** The current session, or a new one without a user for the sign-in form. */
	WebSession forSignIn(HttpServletRequest request, HttpServletResponse response) {
		return current(request).orElseGet(() -> {
			WebSession session = new WebSession(randomId(), randomId(), null);
			this.signingIn.put(session.id(), session);
			setCookie(response, session.id(), SIGNED_IN_IDLE);
			return session;
		});
	}

	/** Ends the current session and opens a signed-in one with a new id. */
	WebSession signIn(HttpServletRequest request, HttpServletResponse response, String token) {
		current(request).ifPresent(this::forget);
		WebSession session = new WebSession(randomId(), randomId(), token);
		this.signedIn.put(session.id(), session);
		setCookie(response, session.id(), SIGNED_IN_IDLE);
		return session;
	}

	/** Ends the current session and clears the cookie. */
	void signOut(HttpServletRequest request, HttpServletResponse response) {
		current(request).ifPresent(this::forget);
		setCookie(response, "", Duration.ZERO);
	}

	/** Forgets a session whose token no longer works. */
	void forget(WebSession session) {
		this.signedIn.invalidate(session.id());
		this.signingIn.invalidate(session.id());
	}

	private String randomId() {
		byte[] bytes = new byte[32];
		this.random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static void setCookie(HttpServletResponse response, String value, Duration maxAge) {
		ResponseCookie cookie = ResponseCookie.from(COOKIE, value)
			.httpOnly(true)
			.secure(true)
			.sameSite("Lax")
			.path("/")
			.maxAge(maxAge)
			.build();
		response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
	}

}
