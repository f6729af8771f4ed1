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
		verify((document) -> document.startsWith("bundle-pins/"), "pin file " + file, content, signatureFile,
				signature != null, into);
		try {
			return BundleJson.mapper().readValue(content, Pin.class);
		}
		catch (JacksonException ex) {
			throw new IOException("invalid pin file " + file + ": " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * The check {@link BundleFetcher} runs on the extracted bundle's SBOM before placing
	 * it: the SBOM is verified against {@code signature} (or {@code sbom.cdx.json.sig}
	 * beside {@code pinFile} when {@code null}), which must name the document
	 * {@code bundles/<sha256>/sbom.cdx.json}, as the registry serves it at
	 * {@code /api/v1/bundles/<sha256>/sbom/signature}. While signatures are required a
	 * bundle without an SBOM is refused.
	 */
	public BundleFetcher.SbomCheck sbomCheck(Path pinFile, Path signature, Path into) {
		Path signatureFile = (signature != null) ? signature
				: pinFile.toAbsolutePath().resolveSibling(SBOM_SIGNATURE_FILE);
		return (bundle, sbom) -> {
			if (sbom == null) {
				if (signaturesRequired()) {
					throw new FetchException("refusing bundle " + bundle.hex() + ": it carries no SBOM, and "
							+ "signatures are required (pgext.bundle.trust)");
				}
				return;
			}
			String document = "bundles/" + bundle.hex() + "/sbom.cdx.json";
			verify(document::equals, "SBOM of bundle " + bundle.hex(), Files.readAllBytes(sbom), signatureFile,
					signature != null, into);
		};
	}

	/** The file name fetch looks for beside the pin when no SBOM signature is given. */
	public static final String SBOM_SIGNATURE_FILE = "sbom.cdx.json" + MetadataSignature.SUFFIX;

	private void verify(java.util.function.Predicate<String> document, String what, byte[] content, Path signatureFile,
			boolean given, Path into) throws IOException {
		byte[] signatureBytes = Files.exists(signatureFile) ? Files.readAllBytes(signatureFile) : null;
		if (given && signatureBytes == null) {
			throw new FetchException("the signature file " + signatureFile + " does not exist");
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
			VersionLedger ledger = keys.isEmpty() ? VersionLedger.inMemory()
					: VersionLedger.createdOnFirstRecord(state);
			new MetadataVerifier(keys, signaturesRequired(), ledger, Clock.systemUTC()).verify(document, what, content,
					signatureBytes);
		}
		catch (MetadataRejectedException ex) {
			throw new FetchException("refusing " + ex.getMessage() + " (" + ex.reason().tag() + ")");
		}
	}

}
