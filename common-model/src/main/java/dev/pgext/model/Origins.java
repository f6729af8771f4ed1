package dev.pgext.model;

import java.net.URI;

/**
 * The origin rule for credentials: a client sends its registry token only to the origin
 * it was given (scheme, host and port, the default port of the scheme when none is
 * spelled), never to a host a redirect points it to, such as the store behind a presigned
 * URL.
 */
public final class Origins {

	private Origins() {
	}

	/** Whether {@code a} and {@code b} have the same scheme, host and port. */
	public static boolean same(URI a, URI b) {
		return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
				&& a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
	}

	private static int port(URI uri) {
		return (uri.getPort() >= 0) ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
	}

}
