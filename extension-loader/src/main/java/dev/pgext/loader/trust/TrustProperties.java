package dev.pgext.loader.trust;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The keys the loader trusts to sign indexes and manifests.
 *
 * @param publicKeys trusted Ed25519 public keys, each the path of a PEM file or inline
 * PEM ({@code -----BEGIN PUBLIC KEY-----}); several during a key rotation
 * @param requireSignatures whether an unsigned index or manifest is refused; when unset,
 * {@code true} as soon as a key is configured
 * @param stateDir where the highest version seen of each document is kept, so a replayed
 * older one is refused after a restart too; when unset, {@code trust/} under
 * {@code pgext.loader.cache-dir}, or memory only when there is no cache directory either
 */
@ConfigurationProperties("pgext.loader.trust")
public record TrustProperties(@DefaultValue List<String> publicKeys, Boolean requireSignatures, Path stateDir) {

	/** Whether unsigned documents are refused. */
	public boolean signaturesRequired() {
		return (this.requireSignatures != null) ? this.requireSignatures : !this.publicKeys.isEmpty();
	}

}
