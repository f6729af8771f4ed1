package dev.pgext.registry.events;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code X-Pgext-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}. The
 * timestamp is signed with the body, so a receiver can refuse old replays.
 */
final class WebhookSignature {

	static final String HEADER = "X-Pgext-Signature";

	private WebhookSignature() {
	}

	static String header(String secret, long unixSeconds, byte[] body) {
		return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds, body);
	}

	static String hmac(String secret, long unixSeconds, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			mac.update((unixSeconds + ".").getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(mac.doFinal(body));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

}
