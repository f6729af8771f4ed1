package dev.pgext.registry.events;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Where a webhook may go: a subscriber's URL is a user's input, and the registry calls it
 * from inside its own network, so by default a host that resolves to an internal address
 * (loopback, link-local such as a cloud's metadata service, private, shared,
 * unique-local, multicast or unspecified) is refused, when subscribing and again before
 * each delivery (a name may resolve elsewhere later).
 * {@code pgext.registry.webhooks.allow-private-addresses} lifts this for a registry whose
 * subscribers are on its own network.
 */
final class WebhookTarget {

	private WebhookTarget() {
	}

	/**
	 * Why the registry does not call {@code url}, {@code null} when it does.
	 * @param url an absolute http(s) URL
	 */
	static String refusal(URI url) {
		if (url.getHost() == null) {
			return "it names no host";
		}
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(host(url));
		}
		catch (UnknownHostException ex) {
			return "its host " + url.getHost() + " does not resolve";
		}
		for (InetAddress address : addresses) {
			String kind = internal(address);
			if (kind != null) {
				return "its host " + url.getHost() + " resolves to " + address.getHostAddress() + ", " + kind
						+ " address; webhooks go to public addresses only "
						+ "(pgext.registry.webhooks.allow-private-addresses)";
			}
		}
		return null;
	}

	/**
	 * What internal kind of address {@code address} is, {@code null} for a public one.
	 */
	static String internal(InetAddress address) {
		if (address.isLoopbackAddress()) {
			return "a loopback";
		}
		if (address.isAnyLocalAddress()) {
			return "an unspecified";
		}
		if (address.isLinkLocalAddress()) {
			return "a link-local";
		}
		if (address.isSiteLocalAddress()) {
			return "a private";
		}
		if (address.isMulticastAddress()) {
			return "a multicast";
		}
		byte[] bytes = address.getAddress();
		if (address instanceof Inet4Address) {
			int first = bytes[0] & 0xff;
			int second = bytes[1] & 0xff;
			if (first == 0) {
				return "a \"this network\"";
			}
			if (first == 100 && (second & 0xc0) == 64) {
				// 100.64.0.0/10, carrier-grade NAT and many clouds' internal networks
				return "a shared";
			}
		}
		if (address instanceof Inet6Address && (bytes[0] & 0xfe) == 0xfc) {
			// fc00::/7
			return "a unique-local";
		}
		return null;
	}

	/** The URL's host without the brackets of an IPv6 literal. */
	private static String host(URI url) {
		String host = url.getHost();
		return (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
	}

}
