package dev.pgext.registry.sbom;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import dev.pgext.model.sbom.CycloneDxJson;
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

	private static final String SCHEMA_BASE = "http://cyclonedx.org/schema/";

	/** The number of schema violations a refusal names. */
	private static final int REPORTED = 5;

	private static volatile Schema schema;

	private SbomDocuments() {
	}

	/**
	 * Refuses (422, {@code invalid-sbom}) a document that is not valid CycloneDX 1.6
	 * JSON, naming its first violations.
	 */
	public static void check(byte[] document) {
		List<Error> errors;
		try {
			errors = schema().validate(new String(document, StandardCharsets.UTF_8), InputFormat.JSON);
		}
		catch (RuntimeException ex) {
			throw RegistryException.unprocessable("invalid-sbom", "sbom: not a JSON document");
		}
		if (!errors.isEmpty()) {
			throw RegistryException.unprocessable("invalid-sbom",
					"sbom: not a valid CycloneDX 1.6 JSON document: "
							+ String.join("; ", errors.stream().limit(REPORTED).map(Error::toString).toList())
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

	private static Schema schema() {
		Schema loaded = schema;
		if (loaded == null) {
			SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
					(builder) -> builder.schemaIdResolvers((ids) -> ids.mapPrefix(SCHEMA_BASE, "classpath:")));
			loaded = registry.getSchema(SchemaLocation.of(SCHEMA_BASE + "bom-1.6.schema.json"));
			schema = loaded;
		}
		return loaded;
	}

}
