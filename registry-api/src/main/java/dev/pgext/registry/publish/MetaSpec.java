package dev.pgext.registry.publish;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;

import dev.pgext.registry.problem.RegistryException;

/**
 * Checks META.json against the PGXN Meta Spec: version 1 unless {@code meta-spec.version}
 * says 2, each against a JSON Schema written from the spec
 * ({@code src/main/resources/meta-spec/}). Every error is reported with the JSON Pointer
 * ({@code /maintainers/0}; empty for the document itself) of the value it is about, in
 * the problem's {@code errors} member.
 */
final class MetaSpec {

	private static final int MAX_ERRORS = 50;

	private static final Schema V1 = load("v1.schema.json");

	private static final Schema V2 = load("v2.schema.json");

	private MetaSpec() {
	}

	/**
	 * The spec version a document declares: 2 when {@code meta-spec.version} starts with
	 * 2, else 1.
	 */
	static int versionOf(JsonNode meta) {
		return meta.path("meta-spec").path("version").asString("").startsWith("2") ? 2 : 1;
	}

	/**
	 * Refuses {@code meta} when it breaks its spec version's schema.
	 * @throws RegistryException 422 {@code invalid-metadata}, with an {@code errors} list
	 */
	static void check(JsonNode meta) {
		int version = versionOf(meta);
		List<Error> errors = ((version == 2) ? V2 : V1).validate(meta, (context) -> context
			.executionConfig((config) -> config.formatAssertionsEnabled(true).locale(Locale.ENGLISH)));
		if (errors.isEmpty()) {
			return;
		}
		List<Map<String, String>> listed = errors.stream().limit(MAX_ERRORS).map((error) -> {
			Map<String, String> entry = new LinkedHashMap<>();
			entry.put("path", error.getInstanceLocation().toString());
			entry.put("keyword", error.getKeyword());
			entry.put("message", error.getMessage());
			return entry;
		}).toList();
		Map<String, String> first = listed.get(0);
		throw RegistryException
			.unprocessable("invalid-metadata",
					"META.json does not follow the PGXN Meta Spec v" + version + ": " + errors.size()
							+ " error(s), first at '" + first.get("path") + "': " + first.get("message"))
			.with("meta_spec", version)
			.with("errors", listed);
	}

	private static Schema load(String name) {
		try (InputStream in = MetaSpec.class.getResourceAsStream("/meta-spec/" + name)) {
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
