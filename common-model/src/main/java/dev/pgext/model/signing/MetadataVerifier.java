package dev.pgext.model.signing;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Predicate;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.signing.MetadataRejectedException.Reason;

/**
 * Decides whether a document may be trusted, before anything reads a digest from it: its
 * detached signature must name this document, cover exactly its bytes, be made by a
 * trusted key, not be expired, and carry a version no lower than the highest one seen.
 * <p>
 * With signatures required (the default whenever keys are trusted) a document without one
 * is refused. With no keys configured and signatures not required, nothing is checked: a
 * deployment that has not set up signing yet.
 */
public final class MetadataVerifier {

	private final TrustedKeys keys;

	private final boolean required;

	private final VersionLedger ledger;

	private final Clock clock;

	/**
	 * @throws IllegalArgumentException when signatures are required but no key is trusted
	 */
	public MetadataVerifier(TrustedKeys keys, boolean required, VersionLedger ledger, Clock clock) {
		if (required && keys.isEmpty()) {
			throw new IllegalArgumentException("signatures are required but no public key is trusted");
		}
		this.keys = keys;
		this.required = required;
		this.ledger = ledger;
		this.clock = clock;
	}

	/** Whether this verifier checks anything at all. */
	public boolean active() {
		return !this.keys.isEmpty();
	}

	/**
	 * Verifies {@code content}, read as document {@code document}, against its signature.
	 * @param signature the signature document's bytes, or {@code null} when there is none
	 * @return the verified signature, or empty for an unsigned document that is allowed
	 * @throws MetadataRejectedException when the document must not be trusted
	 */
	public Optional<MetadataSignature> verify(String document, byte[] content, byte[] signature) {
		return verify(document::equals, document, content, signature);
	}

	/**
	 * Verifies {@code content} against its signature, accepting any document name that
	 * {@code documents} accepts (a pin file read from disk, whose name is in its
	 * signature).
	 */
	public Optional<MetadataSignature> verify(Predicate<String> documents, String described, byte[] content,
			byte[] signature) {
		return verify(documents, described, (content != null) ? Sha256Digest.of(content) : null,
				(content != null) ? content.length : -1, signature);
	}

	/**
	 * Verifies a document known by its SHA-256 and size, for a reader that hashed its
	 * bytes while it read them.
	 */
	public Optional<MetadataSignature> verify(String document, Sha256Digest sha256, long size, byte[] signature) {
		return verify(document::equals, document, sha256, size, signature);
	}

	private Optional<MetadataSignature> verify(Predicate<String> documents, String described, Sha256Digest actual,
			long size, byte[] signature) {
		if (signature == null) {
			if (this.required) {
				throw new MetadataRejectedException(Reason.UNSIGNED,
						described + " has no signature, and signatures are required");
			}
			return Optional.empty();
		}
		if (!active()) {
			return Optional.empty();
		}
		MetadataSignature parsed = MetadataSignature.parse(signature);
		PublicKey key = this.keys.find(parsed.keyId())
			.orElseThrow(() -> new MetadataRejectedException(Reason.UNKNOWN_KEY, described + " is signed by key "
					+ parsed.keyId() + ", which is not trusted (trusted: " + String.join(", ", this.keys.ids()) + ")"));
		if (!validSignature(key, parsed)) {
			throw new MetadataRejectedException(Reason.BAD_SIGNATURE,
					described + ": the signature by key " + parsed.keyId() + " does not verify");
		}
		if (!documents.test(parsed.document())) {
			throw new MetadataRejectedException(Reason.BAD_SIGNATURE,
					described + ": the signature is for " + parsed.document() + ", not this document");
		}
		if (!parsed.sha256().equals(actual) || size != parsed.size()) {
			throw new MetadataRejectedException(Reason.BAD_SIGNATURE,
					described + " has sha256 " + ((actual != null) ? actual.hex() : "none")
							+ " but its signature covers sha256 " + parsed.sha256().hex()
							+ ": it was changed after signing");
		}
		if (!parsed.expiresAt().isAfter(this.clock.instant())) {
			throw new MetadataRejectedException(Reason.EXPIRED,
					described + ": its signature expired at " + parsed.expires());
		}
		this.ledger.accept(parsed.document(), parsed.version());
		return Optional.of(parsed);
	}

	private static boolean validSignature(PublicKey key, MetadataSignature parsed) {
		try {
			Signature verifier = Signature.getInstance(KeyPem.ALGORITHM);
			verifier.initVerify(key);
			verifier.update(parsed.signedBytes());
			return verifier.verify(Base64.getDecoder().decode(parsed.signature()));
		}
		catch (IllegalArgumentException | GeneralSecurityException ex) {
			return false;
		}
	}

}
