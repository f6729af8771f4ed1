package dev.pgext.model.release;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;

/**
 * The PGXN Meta Spec as JSON Schemas written from it
 * ({@code src/main/resources/meta-spec/}): version 1 unless {@code meta-spec.version}
 * says 2. The registry refuses a release whose META.json breaks it; {@code pgext package}
 * runs the same check before anything is uploaded. Needs
 * {@code com.networknt:json-schema-validator} on the classpath (an optional dependency of
 * this module).
 */
public final class MetaSpecSchema {

	private static final Schema V1 = load("v1.schema.json");

	private static final Schema V2 = load("v2.schema.json");

	private MetaSpecSchema() {
	}

	/**
	 * What breaks the schema at one place of the document.
	 *
	 * @param path the JSON Pointer of the value it is about ({@code /maintainers/0};
	 * empty for the document itself)
	 * @param keyword the schema keyword that failed
	 * @param message the validator's English message
	 */
	public record Violation(String path, String keyword, String message) {
	}

	/**
	 * The spec version a document declares: 2 when {@code meta-spec.version} starts with
	 * 2, else 1.
	 */
	public static int versionOf(JsonNode meta) {
		return meta.path("meta-spec").path("version").asString("").startsWith("2") ? 2 : 1;
	}

	/** Everything in {@code meta} that breaks its spec version's schema. */
	public static List<Violation> violations(JsonNode meta) {
		return ((versionOf(meta) == 2) ? V2 : V1)
			.validate(meta,
					(context) -> context
						.executionConfig((config) -> config.formatAssertionsEnabled(true).locale(Locale.ENGLISH)))
			.stream()
			.map((error) -> new Violation(error.getInstanceLocation().toString(), error.getKeyword(),
					error.getMessage()))
			.toList();
	}

	private static Schema load(String name) {
		try (InputStream in = MetaSpecSchema.class.getResourceAsStream("/meta-spec/" + name)) {
			if (in == null) {
				throw new IllegalStateException("meta-spec/" + name + " is missing from the classpath");
			}
			return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
				.getSchema(in, InputFormat.JSON);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
