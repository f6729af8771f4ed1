package dev.pgext.model;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The rules of the clients that follow the registry's redirects themselves (the loader's
 * registry source, the CLI): which answer is a redirect to follow, and the origin rule
 * for credentials: a client sends its registry token only to the origin it was given
 * (scheme, host and port, the default port of the scheme when none is spelled), never to
 * a host a redirect points it to, such as the store behind a presigned URL.
 */
public final class Origins {

	private Origins() {
	}

	/** Whether {@code a} and {@code b} have the same scheme, host and port. */
	public static boolean same(URI a, URI b) {
		return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
				&& a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
	}

	/**
	 * Where an answer of {@code status} with the {@code Location} header {@code location}
	 * (or {@code null}) to a request for {@code from} redirects, or {@code null} when it
	 * is no redirect to follow: not a 301, 302, 303, 307 or 308, no or a malformed
	 * {@code Location}, not HTTP(S), or from HTTPS to HTTP.
	 */
	public static URI redirect(URI from, int status, String location) {
		if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
			return null;
		}
		if (location == null || location.isBlank()) {
			return null;
		}
		URI to;
		try {
			to = from.resolve(new URI(location.strip()));
		}
		catch (URISyntaxException | IllegalArgumentException ex) {
			return null;
		}
		boolean web = "http".equalsIgnoreCase(to.getScheme()) || "https".equalsIgnoreCase(to.getScheme());
		boolean downgrade = "https".equalsIgnoreCase(from.getScheme()) && !"https".equalsIgnoreCase(to.getScheme());
		return (web && !downgrade && to.getHost() != null) ? to : null;
	}

	private static int port(URI uri) {
		return (uri.getPort() >= 0) ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
	}

}
