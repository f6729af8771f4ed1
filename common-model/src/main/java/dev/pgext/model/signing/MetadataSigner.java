package dev.pgext.model.signing;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

import dev.pgext.model.Sha256Digest;

/**
 * Signs documents with one {@link SigningKey}.
 */
public final class MetadataSigner {

	private final SigningKey key;

	private final Clock clock;

	public MetadataSigner(SigningKey key, Clock clock) {
		this.key = key;
		this.clock = clock;
	}

	public SigningKey key() {
		return this.key;
	}

	/**
	 * The signature of {@code content} as document {@code document} at {@code version},
	 * valid for {@code validity} from now.
	 */
	public MetadataSignature sign(String document, byte[] content, long version, Duration validity) {
		return sign(document, Sha256Digest.of(content), content.length, version, validity);
	}

	/**
	 * The signature of content whose digest and size the caller has computed (a large
	 * document is then not hashed a second time), as
	 * {@link #sign(String, byte[], long, Duration)}.
	 */
	public MetadataSignature sign(String document, Sha256Digest sha256, long size, long version, Duration validity) {
		String expires = this.clock.instant().plus(validity).truncatedTo(ChronoUnit.SECONDS).toString();
		byte[] signed = MetadataSignature.signedBytes(document, sha256, size, version, expires);
		try {
			Signature signature = Signature.getInstance(KeyPem.ALGORITHM);
			signature.initSign(this.key.privateKey());
			signature.update(signed);
			return new MetadataSignature(MetadataSignature.FORMAT, document, sha256, size, version, expires,
					this.key.keyId(), MetadataSignature.ALGORITHM,
					Base64.getEncoder().encodeToString(signature.sign()));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("signing " + document + " failed", ex);
		}
	}

}
