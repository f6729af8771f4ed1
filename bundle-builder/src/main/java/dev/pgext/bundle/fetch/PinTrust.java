package dev.pgext.bundle.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import tools.jackson.core.JacksonException;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.model.signing.MetadataRejectedException;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;

/**
 * The keys {@code bundle-builder fetch} trusts to sign pin files
 * ({@code pgext.bundle.trust.*}, or {@code PGEXT_BUNDLE_TRUST_PUBLIC_KEYS}). A pin is
 * verified against its detached signature ({@code <pin file>.sig}, as the registry serves
 * it at {@code /api/v1/bundle-pins/<environment>/signature}) before the digest it names
 * is trusted.
 *
 * @param publicKeys trusted Ed25519 public keys, each the path of a PEM file or inline
 * PEM; several during a key rotation
 * @param requireSignatures whether an unsigned pin is refused; when unset, {@code true}
 * as soon as a key is configured
 * @param stateDir where the highest pin version seen is kept, so an older pin put back is
 * refused; when unset, {@code .pgext-trust} beside the directory fetched into
 */
@ConfigurationProperties("pgext.bundle.trust")
public record PinTrust(@DefaultValue List<String> publicKeys, Boolean requireSignatures, Path stateDir) {

	/** Trust that checks nothing: no key configured. */
	public static PinTrust none() {
		return new PinTrust(List.of(), null, null);
	}

	/** Whether unsigned pins are refused. */
	public boolean signaturesRequired() {
		return (this.requireSignatures != null) ? this.requireSignatures : !this.publicKeys.isEmpty();
	}

	/**
	 * Reads the pin file after verifying it against {@code signature} (or
	 * {@code <file>.sig} when {@code null}); the signature must name a
	 * {@code bundle-pins/} document.
	 * @param into where the bundle will be placed (the default state directory is beside
	 * it)
	 * @throws FetchException when the pin is refused, with the reason
	 */
	public Pin read(Path file, Path signature, Path into) throws IOException {
		byte[] content = Files.readAllBytes(file);
		Path signatureFile = (signature != null) ? signature
				: file.resolveSibling(file.getFileName() + MetadataSignature.SUFFIX);
		byte[] signatureBytes = Files.exists(signatureFile) ? Files.readAllBytes(signatureFile) : null;
		if (signature != null && signatureBytes == null) {
			throw new FetchException("the signature file " + signature + " does not exist");
		}
		Path state = (this.stateDir != null) ? this.stateDir
				: into.toAbsolutePath().normalize().resolveSibling(".pgext-trust");
		TrustedKeys keys;
		try {
			keys = TrustedKeys.parse(this.publicKeys);
		}
		catch (IllegalArgumentException ex) {
			throw new FetchException("pgext.bundle.trust.public-keys: " + ex.getMessage());
		}
		try {
			VersionLedger ledger = keys.isEmpty() ? VersionLedger.inMemory() : VersionLedger.in(state);
			new MetadataVerifier(keys, signaturesRequired(), ledger, Clock.systemUTC())
				.verify((document) -> document.startsWith("bundle-pins/"), "pin file " + file, content, signatureBytes);
		}
		catch (MetadataRejectedException ex) {
			throw new FetchException("refusing " + ex.getMessage() + " (" + ex.reason().tag() + ")");
		}
		try {
			return BundleJson.mapper().readValue(content, Pin.class);
		}
		catch (JacksonException ex) {
			throw new IOException("invalid pin file " + file + ": " + ex.getOriginalMessage(), ex);
		}
	}

}
