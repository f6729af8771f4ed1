package dev.pgext.testsupport;

import java.util.List;

import dev.pgext.model.sbom.CycloneDxSchema;

/**
 * Validates CycloneDX JSON documents in tests against the CycloneDX 1.6 JSON schema the
 * library ships (common-model {@link CycloneDxSchema}, the check the registry makes at
 * registration). Users declare {@code cyclonedx-core-java} and
 * {@code json-schema-validator} themselves.
 */
public final class CycloneDxDocuments {

	private CycloneDxDocuments() {
	}

	/**
	 * What is wrong with {@code document} according to the CycloneDX 1.6 JSON schema;
	 * empty when it is valid.
	 */
	public static List<String> problems(byte[] document) {
		return CycloneDxSchema.problems(document);
	}

}
