package dev.pgext.registry.publish;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import dev.pgext.model.release.MetaSpecSchema;
import dev.pgext.registry.problem.RegistryException;

/**
 * Refuses a META.json that breaks the PGXN Meta Spec ({@link MetaSpecSchema}, shared with
 * {@code pgext package}). Every error is reported with the JSON Pointer
 * ({@code /maintainers/0}; empty for the document itself) of the value it is about, in
 * the problem's {@code errors} member.
 */
final class MetaSpec {

	private static final int MAX_ERRORS = 50;

	private MetaSpec() {
	}

	/**
	 * The spec version a document declares: 2 when {@code meta-spec.version} starts with
	 * 2, else 1.
	 */
	static int versionOf(JsonNode meta) {
		return MetaSpecSchema.versionOf(meta);
	}

	/**
	 * Refuses {@code meta} when it breaks its spec version's schema.
	 * @throws RegistryException 422 {@code invalid-metadata}, with an {@code errors} list
	 */
	static void check(JsonNode meta) {
		int version = versionOf(meta);
		List<MetaSpecSchema.Violation> errors = MetaSpecSchema.violations(meta);
		if (errors.isEmpty()) {
			return;
		}
		List<Map<String, String>> listed = errors.stream().limit(MAX_ERRORS).map((error) -> {
			Map<String, String> entry = new LinkedHashMap<>();
			entry.put("path", error.path());
			entry.put("keyword", error.keyword());
			entry.put("message", error.message());
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

}
