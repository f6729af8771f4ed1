package dev.pgext.model.sbom;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;

/**
 * The CycloneDX 1.6 JSON schema that the CycloneDX library ships
 * ({@code bom-1.6.schema.json} with its {@code spdx} and {@code jsf} schemas), read from
 * its jar, never from the network. The library's own validator needs
 * json-schema-validator 1.x; the build manages 3.x, which reads the same schemas. Users
 * declare {@code cyclonedx-core-java} and {@code json-schema-validator} themselves.
 */
public final class CycloneDxSchema {

	private static final String SCHEMA_BASE = "http://cyclonedx.org/schema/";

	private static Schema schema;

	private CycloneDxSchema() {
	}

	/**
	 * What is wrong with {@code document} according to the CycloneDX 1.6 JSON schema;
	 * empty when it is valid.
	 * @throws RuntimeException when the document is not JSON at all
	 */
	public static List<String> problems(byte[] document) {
		List<Error> errors = schema().validate(new String(document, StandardCharsets.UTF_8), InputFormat.JSON);
		return errors.stream().map(Error::toString).toList();
	}

	private static synchronized Schema schema() {
		if (schema == null) {
			// the schema annotates with two keywords draft 7 does not define: known as
			// annotations, they are not reported as unknown at the first validation
			Dialect draft7 = Dialect.builder(Dialects.getDraft7())
				.keyword(new AnnotationKeyword("meta:enum"))
				.keyword(new AnnotationKeyword("deprecated"))
				.build();
			SchemaRegistry registry = SchemaRegistry.withDefaultDialect(draft7,
					(builder) -> builder.schemaIdResolvers((ids) -> ids.mapPrefix(SCHEMA_BASE, "classpath:")));
			schema = registry.getSchema(SchemaLocation.of(SCHEMA_BASE + "bom-1.6.schema.json"));
		}
		return schema;
	}

}
