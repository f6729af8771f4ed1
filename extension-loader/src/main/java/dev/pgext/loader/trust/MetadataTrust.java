package dev.pgext.loader.trust;

import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.signing.MetadataRejectedException;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;

/**
 * The loader's one gate between a signed document (an {@code ext_index.json}, a compute
 * manifest) and the digests in it. Each refusal is counted in
 * {@code pgext_loader_metadata_rejected_total{reason}} and kept until the same document
 * verifies again, so the {@code metadataTrust} health indicator is down while any
 * document the loader last read was refused.
 */
public class MetadataTrust {

	private static final Logger log = LoggerFactory.getLogger(MetadataTrust.class);

	private final MetadataVerifier verifier;

	private final MeterRegistry meters;

	private final Map<String, Rejection> rejected = new ConcurrentHashMap<>();

	public MetadataTrust(MetadataVerifier verifier, MeterRegistry meters) {
		this.verifier = verifier;
		this.meters = meters;
		if (meters != null) {
			for (MetadataRejectedException.Reason reason : MetadataRejectedException.Reason.values()) {
				counter(reason);
			}
		}
	}

	/** Trust that checks nothing: no key configured and none required. */
	public static MetadataTrust none() {
		return new MetadataTrust(
				new MetadataVerifier(TrustedKeys.of(List.of()), false, VersionLedger.inMemory(), Clock.systemUTC()),
				null);
	}

	/**
	 * A refused document.
	 *
	 * @param document its name
	 * @param reason why ({@link MetadataRejectedException.Reason#tag()})
	 * @param message the whole reason
	 * @param at when
	 */
	public record Rejection(String document, String reason, String message, Instant at) {
	}

	/**
	 * Verifies {@code content} read as {@code document}.
	 * @param signature the detached signature's bytes, or {@code null} when there is none
	 * @throws MetadataRejectedException when it must not be trusted; counted and kept for
	 * health
	 */
	public void verify(String document, byte[] content, byte[] signature) {
		verify(document, Sha256Digest.of(content), content.length, signature);
	}

	/**
	 * Verifies a document by the SHA-256 and size of its bytes, hashed while they were
	 * read.
	 * @param signature the detached signature's bytes, or {@code null} when there is none
	 * @throws MetadataRejectedException when it must not be trusted; counted and kept for
	 * health
	 */
	public void verify(String document, Sha256Digest sha256, long size, byte[] signature) {
		try {
			this.verifier.verify(document, sha256, size, signature);
			this.rejected.remove(document);
		}
		catch (MetadataRejectedException ex) {
			reject(document, ex);
			throw ex;
		}
	}

	/**
	 * Like {@link #verify}, but a signature that does not match these bytes is answered
	 * {@code false} instead of being counted: for a reader that may have met a document
	 * between the write of its new bytes and of its new signature, and reads both again.
	 */
	public boolean verifiesOrMayBeMidWrite(String document, byte[] content, byte[] signature) {
		return verifiesOrMayBeMidWrite(document, Sha256Digest.of(content), content.length, signature);
	}

	/**
	 * {@link #verifiesOrMayBeMidWrite(String, byte[], byte[])} by the SHA-256 and size of
	 * the document's bytes.
	 */
	public boolean verifiesOrMayBeMidWrite(String document, Sha256Digest sha256, long size, byte[] signature) {
		try {
			this.verifier.verify(document, sha256, size, signature);
			this.rejected.remove(document);
			return true;
		}
		catch (MetadataRejectedException ex) {
			if (ex.reason() == MetadataRejectedException.Reason.BAD_SIGNATURE) {
				return false;
			}
			reject(document, ex);
			throw ex;
		}
	}

	/** Records a refusal found before verification (an undecodable signature header). */
	public void reject(String document, MetadataRejectedException ex) {
		log.error("Refusing {}: {}", document, ex.getMessage());
		this.rejected.put(document, new Rejection(document, ex.reason().tag(), ex.getMessage(), Instant.now()));
		if (this.meters != null) {
			counter(ex.reason()).increment();
		}
	}

	/**
	 * Decodes a base64 {@link MetadataSignature#HEADER} value, or {@code null} when
	 * absent.
	 */
	public byte[] decodeHeader(String document, String header) {
		if (header == null) {
			return null;
		}
		try {
			return Base64.getDecoder().decode(header.strip());
		}
		catch (IllegalArgumentException ex) {
			MetadataRejectedException rejection = new MetadataRejectedException(
					MetadataRejectedException.Reason.MALFORMED,
					document + ": the " + MetadataSignature.HEADER + " header is not base64");
			reject(document, rejection);
			throw rejection;
		}
	}

	/** The documents whose last read was refused. */
	public List<Rejection> rejections() {
		return List.copyOf(this.rejected.values());
	}

	/** Whether signatures are checked at all. */
	public boolean active() {
		return this.verifier.active();
	}

	private Counter counter(MetadataRejectedException.Reason reason) {
		return Counter.builder("pgext.loader.metadata.rejected")
			.description("Indexes and manifests refused before any digest in them was trusted, by reason")
			.tag("reason", reason.tag())
			.register(this.meters);
	}

}
