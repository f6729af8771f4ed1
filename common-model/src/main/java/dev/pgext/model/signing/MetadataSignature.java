package dev.pgext.model.signing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.json.DocumentJson;

/**
 * The detached signature of one document ({@code ext_index.json.sig} beside
 * {@code ext_index.json}, the {@code Pgext-Signature} header of a compute manifest). It
 * names the document, the sha256 and size of its exact bytes, the document's version and
 * expiry, and carries an Ed25519 signature by key {@code keyId} over
 * {@link #signedBytes()}: a fixed text of those five fields, so a signature cannot be
 * moved to another document, another content, an older version or a later expiry.
 * Specified in {@code docs/signing.md}.
 *
 * @param format the format version, {@value #FORMAT}
 * @param document the name of the signed document, such as {@code 15/ext_index.json}
 * @param sha256 the sha256 of the document's bytes
 * @param size the document's size in bytes
 * @param version the document's version: a later document of the same name has a higher
 * one
 * @param expires when the signature stops being valid (ISO-8601 UTC, whole seconds)
 * @param keyId the id of the signing key ({@link KeyPem#keyId})
 * @param algorithm {@value #ALGORITHM}
 * @param signature the base64 Ed25519 signature of {@link #signedBytes()}
 */
public record MetadataSignature(int format, String document, Sha256Digest sha256, long size, long version,
		String expires, @JsonProperty("key_id") String keyId, String algorithm, String signature) {

	/** The format version this code writes and reads. */
	public static final int FORMAT = 1;

	/** The one algorithm: Ed25519 (RFC 8032), pure, no prehash. */
	public static final String ALGORITHM = "ed25519";

	/** The file name suffix of a detached signature beside its document. */
	public static final String SUFFIX = ".sig";

	/**
	 * The HTTP header that carries the signature of a response body, base64 of its JSON.
	 */
	public static final String HEADER = "Pgext-Signature";

	private static final String DOMAIN = "pgext-metadata-signature-v1";

	private static final JsonMapper MAPPER = DocumentJson.INDENTED;

	/** The bytes the signature covers: a domain line and one line per signed field. */
	public byte[] signedBytes() {
		return signedBytes(this.document, this.sha256, this.size, this.version, this.expires);
	}

	static byte[] signedBytes(String document, Sha256Digest sha256, long size, long version, String expires) {
		return (DOMAIN + "\n" + document + "\n" + sha256.hex() + "\n" + size + "\n" + version + "\n" + expires + "\n")
			.getBytes(StandardCharsets.UTF_8);
	}

	/** {@link #expires} as an instant. */
	public Instant expiresAt() {
		return Instant.parse(this.expires);
	}

	public byte[] toJson() {
		return MAPPER.writeValueAsBytes(this);
	}

	/**
	 * Reads a signature document.
	 * @throws MetadataRejectedException ({@code malformed}) when it is not one
	 */
	public static MetadataSignature parse(byte[] json) {
		MetadataSignature signature;
		try {
			signature = MAPPER.readValue(json, MetadataSignature.class);
		}
		catch (JacksonException ex) {
			throw new MetadataRejectedException(MetadataRejectedException.Reason.MALFORMED,
					"the signature is not a signature document: " + ex.getOriginalMessage());
		}
		catch (IllegalArgumentException ex) {
			throw new MetadataRejectedException(MetadataRejectedException.Reason.MALFORMED,
					"the signature is not a signature document: " + ex.getMessage());
		}
		if (signature == null || signature.format() != FORMAT || signature.document() == null
				|| signature.sha256() == null || signature.expires() == null || signature.keyId() == null
				|| signature.signature() == null || !ALGORITHM.equals(signature.algorithm())) {
			throw new MetadataRejectedException(MetadataRejectedException.Reason.MALFORMED,
					"the signature document is not format " + FORMAT + " with algorithm " + ALGORITHM
							+ " and every field");
		}
		try {
			signature.expiresAt();
		}
		catch (DateTimeParseException ex) {
			throw new MetadataRejectedException(MetadataRejectedException.Reason.MALFORMED,
					"the signature's expires is not an ISO-8601 instant: " + signature.expires());
		}
		return signature;
	}

}
