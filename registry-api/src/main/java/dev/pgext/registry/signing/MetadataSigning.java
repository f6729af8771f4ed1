package dev.pgext.registry.signing;

import java.time.Clock;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.signing.MetadataRejectedException;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataSigner;
import dev.pgext.model.signing.SigningKey;

/**
 * Signs documents with the configured key, or does nothing when the registry runs
 * unsigned (only if {@code pgext.registry.signing.allow-unsigned} says so).
 */
@Component
public class MetadataSigning {

	private static final Logger log = LoggerFactory.getLogger(MetadataSigning.class);

	private final SigningProperties properties;

	private final MetadataSigner signer;

	private final Clock clock;

	@Autowired
	MetadataSigning(SigningProperties properties) {
		this(properties, Clock.systemUTC());
	}

	MetadataSigning(SigningProperties properties, Clock clock) {
		this.properties = properties;
		this.clock = clock;
		if (properties.validity().compareTo(properties.refreshBefore()) <= 0) {
			throw new IllegalStateException("pgext.registry.signing.validity (" + properties.validity()
					+ ") must be longer than refresh-before (" + properties.refreshBefore() + ")");
		}
		if (properties.privateKeyFile() == null) {
			if (!properties.allowUnsigned()) {
				throw new IllegalStateException("pgext.registry.signing.private-key-file is not set: the registry "
						+ "signs every index, snapshot, manifest and pin it writes (openssl genpkey -algorithm ed25519 "
						+ "-out signing.pem); set pgext.registry.signing.allow-unsigned=true to run without signatures");
			}
			log.warn(
					"No signing key (pgext.registry.signing.private-key-file): indexes, manifests and pins are unsigned");
			this.signer = null;
		}
		else {
			SigningKey key = SigningKey.load(properties.privateKeyFile());
			log.info("Signing metadata with key {} from {}", key.keyId(), properties.privateKeyFile());
			this.signer = new MetadataSigner(key, clock);
		}
	}

	/** Whether documents are signed at all (a key is configured). */
	public boolean active() {
		return this.signer != null;
	}

	/**
	 * A fresh signature of {@code content} as {@code document} at {@code version}, or
	 * empty when running unsigned.
	 */
	public Optional<MetadataSignature> sign(String document, byte[] content, long version) {
		return Optional.ofNullable(this.signer)
			.map((s) -> s.sign(document, content, version, this.properties.validity()));
	}

	/**
	 * The signature document to store beside {@code content}: {@code existing} when it
	 * still covers these bytes with the current key and does not expire within
	 * {@code refresh-before}, otherwise a new one whose version is above the existing
	 * one's (and at least the time in milliseconds), so versions only grow even across
	 * instances with differing clocks. Callers hold the document's lock.
	 * @param existing the stored signature document, or {@code null}
	 * @return the bytes to store, the same array as {@code existing} when nothing
	 * changed; empty when running unsigned
	 */
	public Optional<byte[]> signatureFor(String document, byte[] content, byte[] existing) {
		return signatureFor(document, content, Sha256Digest.of(content), existing);
	}

	/**
	 * {@link #signatureFor(String, byte[], byte[])} for content whose digest the caller
	 * has already computed (a large document is then hashed only when it is signed anew).
	 */
	public Optional<byte[]> signatureFor(String document, byte[] content, Sha256Digest sha256, byte[] existing) {
		if (this.signer == null) {
			return Optional.empty();
		}
		MetadataSignature previous = null;
		if (existing != null) {
			try {
				previous = MetadataSignature.parse(existing);
			}
			catch (MetadataRejectedException ex) {
				previous = null;
			}
		}
		if (previous != null && previous.document().equals(document)
				&& previous.keyId().equals(this.signer.key().keyId()) && previous.sha256().equals(sha256)
				&& previous.expiresAt().isAfter(this.clock.instant().plus(this.properties.refreshBefore()))) {
			return Optional.of(existing);
		}
		long version = Math.max(this.clock.millis(), (previous != null) ? previous.version() + 1 : 0);
		// the digest is the caller's: a large document is not hashed again to be signed
		return Optional
			.of(this.signer.sign(document, sha256, content.length, version, this.properties.validity()).toJson());
	}

}
