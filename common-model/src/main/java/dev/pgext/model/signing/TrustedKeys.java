package dev.pgext.model.signing;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The public keys a consumer trusts, by key id. Several at once during a rotation: the
 * registry signs with the new key while consumers still trust the old one too.
 */
public final class TrustedKeys {

	private final Map<String, PublicKey> keys;

	private TrustedKeys(Map<String, PublicKey> keys) {
		this.keys = Map.copyOf(keys);
	}

	public static TrustedKeys of(Collection<PublicKey> keys) {
		Map<String, PublicKey> byId = new LinkedHashMap<>();
		keys.forEach((key) -> byId.put(KeyPem.keyId(key), key));
		return new TrustedKeys(byId);
	}

	/**
	 * The keys named by {@code entries}: each one either inline PEM (it starts with
	 * {@code -----BEGIN}) or the path of a PEM file, which may hold several
	 * {@code PUBLIC KEY} blocks.
	 * @throws IllegalArgumentException naming the entry that holds no public key
	 */
	public static TrustedKeys parse(Collection<String> entries) {
		Map<String, PublicKey> byId = new LinkedHashMap<>();
		for (String entry : entries) {
			String text = entry.strip();
			if (text.isEmpty()) {
				continue;
			}
			String pem = text.startsWith("-----BEGIN") ? text : KeyPem.read(Path.of(text));
			String source = text.startsWith("-----BEGIN") ? "an inline key" : text;
			int found = 0;
			for (String block : pem.split("(?=-----BEGIN )")) {
				if (block.contains("-----BEGIN PUBLIC KEY-----")) {
					try {
						PublicKey key = KeyPem.readPublic(block);
						byId.put(KeyPem.keyId(key), key);
						found++;
					}
					catch (IllegalArgumentException ex) {
						throw new IllegalArgumentException("trusted key " + source + ": " + ex.getMessage(), ex);
					}
				}
			}
			if (found == 0) {
				throw new IllegalArgumentException(
						"trusted key " + source + " holds no -----BEGIN PUBLIC KEY----- block");
			}
		}
		return new TrustedKeys(byId);
	}

	public Optional<PublicKey> find(String keyId) {
		return Optional.ofNullable(this.keys.get(keyId));
	}

	public Set<String> ids() {
		return this.keys.keySet();
	}

	public boolean isEmpty() {
		return this.keys.isEmpty();
	}

}
