package dev.pgext.registry.sbom;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import dev.pgext.model.sbom.CycloneDxJson;
import dev.pgext.model.sbom.CycloneDxSchema;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.registry.problem.RegistryException;

/**
 * CycloneDX JSON documents: checked against the CycloneDX 1.6 JSON schema that the
 * CycloneDX library ships (read from its jar, never from the network), and answered with
 * their signature in the {@value MetadataSignature#HEADER} header.
 */
public final class SbomDocuments {

	/** The media type of a CycloneDX JSON document. */
	public static final String MEDIA_TYPE = CycloneDxJson.MEDIA_TYPE;

	/** The number of schema violations a refusal names. */
	private static final int REPORTED = 5;

	private SbomDocuments() {
	}

	/**
	 * Refuses (422, {@code invalid-sbom}) a document that is not valid CycloneDX 1.6
	 * JSON, naming its first violations.
	 */
	public static void check(byte[] document) {
		List<String> errors;
		try {
			errors = CycloneDxSchema.problems(document);
		}
		catch (RuntimeException ex) {
			throw RegistryException.unprocessable("invalid-sbom", "sbom: not a JSON document");
		}
		if (!errors.isEmpty()) {
			throw RegistryException.unprocessable("invalid-sbom",
					"sbom: not a valid CycloneDX 1.6 JSON document: "
							+ String.join("; ", errors.stream().limit(REPORTED).toList())
							+ ((errors.size() > REPORTED) ? " (and " + (errors.size() - REPORTED) + " more)" : ""));
		}
	}

	/** The answer of an SBOM: its bytes, and its signature when the registry signs. */
	public static ResponseEntity<byte[]> response(byte[] document, Optional<MetadataSignature> signature) {
		ResponseEntity.BodyBuilder response = ResponseEntity.ok().contentType(MediaType.parseMediaType(MEDIA_TYPE));
		signature.ifPresent(
				(s) -> response.header(MetadataSignature.HEADER, Base64.getEncoder().encodeToString(s.toJson())));
		return response.body(document);
	}

}
