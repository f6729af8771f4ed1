package dev.pgext.model.json;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON settings of documents whose bytes are a contract: files that are signed,
 * digested, compared byte for byte or read by another program. They are defined here
 * once, apart from the mapper a service's Spring Boot configures, so that no service
 * setting ({@code spring.jackson.*}, a customizer) can change such bytes. Code without
 * Spring (the CLI, the bundle builder's commands, the local stack's checks) reads and
 * writes its JSON with these too.
 */
public final class DocumentJson {

	/**
	 * Jackson 3's defaults, stated where they decide what a reader accepts: compact
	 * output, properties in declaration order, nulls written, instants as ISO-8601 text,
	 * and properties this version does not know ignored (a newer writer may have added
	 * some).
	 */
	public static final JsonMapper COMPACT = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	/**
	 * As {@link #COMPACT}, but indented: documents people read too (metadata signatures,
	 * {@code ext_index.json}).
	 */
	public static final JsonMapper INDENTED = COMPACT.rebuild().enable(SerializationFeature.INDENT_OUTPUT).build();

	private DocumentJson() {
	}

}
