package dev.pgext.registry.publish;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.model.release.ReleaseVersion;
import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.problem.RegistryException;

/**
 * The release metadata a publisher sends: PGXN {@code META.json} v1, or v2 where
 * {@code meta-spec.version} says 2, checked against the spec ({@link MetaSpec}) after the
 * registry's own name, version and limit checks, with the fields v2 adds taken where
 * present ({@code maintainers}, {@code classifications.tags},
 * {@code contents.extensions}, per-module {@code preload}).
 *
 * @param name the distribution name
 * @param version the release version
 * @param summary one-line summary (META {@code abstract})
 * @param description longer description, or {@code null}
 * @param license license, as an SPDX-like expression
 * @param maintainers maintainers as written
 * @param tags tags, lower-cased
 * @param provides per extension: its version, abstract and preload need, where given
 * @param modulePreload per library: its preload need, where given (v2
 * {@code contents.modules})
 * @param json the document as sent, kept with the release
 * @param versionAsWritten the version as the document wrote it, when it was normalised
 * (such as {@code 1.0} for {@code 1.0.0}); or {@code null}
 * @param text the document exactly as sent (UTF-8), served back byte for byte
 */
record ReleaseMetadata(String name, String version, String summary, String description, String license,
		List<String> maintainers, List<String> tags, Map<String, Provided> provides,
		Map<String, PreloadNeed> modulePreload, JsonNode json, String versionAsWritten, String text) {

	private static final JsonMapper JSON = DocumentJson.COMPACT;

	/**
	 * How much text a release may carry.
	 *
	 * @param maxTags most tags
	 * @param maxTagLength longest tag
	 * @param maxTextLength longest short text (abstract, license, a maintainer)
	 * @param maxDescriptionLength longest description
	 */
	record Limits(int maxTags, int maxTagLength, int maxTextLength, int maxDescriptionLength) {

		static final Limits DEFAULT = new Limits(32, 64, 1000, 65536);

		static Limits of(RegistryProperties.Publish publish) {
			return new Limits(publish.maxTags(), publish.maxTagLength(), publish.maxTextLength(),
					publish.maxDescriptionLength());
		}

	}

	/**
	 * What the metadata says about one extension.
	 *
	 * @param version the extension version this release installs, or {@code null} for the
	 * control file's default
	 * @param summary one-line summary, or {@code null}
	 * @param preload the preload need, or {@code null} when not given
	 */
	record Provided(String version, String summary, PreloadNeed preload) {
	}

	static ReleaseMetadata parse(byte[] bytes) {
		return parse(bytes, Limits.DEFAULT);
	}

	static ReleaseMetadata parse(byte[] bytes, Limits limits) {
		JsonNode json;
		try {
			json = JSON.readTree(bytes);
		}
		catch (JacksonException ex) {
			throw RegistryException.badRequest("invalid-metadata", "metadata is not JSON: " + ex.getOriginalMessage());
		}
		if (json == null || !json.isObject()) {
			throw RegistryException.badRequest("invalid-metadata", "metadata must be a JSON object (META.json)");
		}
		checkText(json, "");
		String name = text(json, "name");
		String version = text(json, "version");
		if (name == null || version == null) {
			throw RegistryException.unprocessable("invalid-metadata", "metadata needs 'name' and 'version'");
		}
		String nameProblem = ExtensionName.problem(name);
		if (nameProblem != null) {
			throw RegistryException.unprocessable("invalid-name", "distribution name '" + name + "': " + nameProblem);
		}
		String versionProblem = ReleaseVersion.problem(version);
		if (versionProblem == null) {
			versionProblem = ExtensionVersion.problem(ReleaseVersion.normalize(version).value());
		}
		if (versionProblem != null) {
			throw RegistryException.unprocessable("invalid-version",
					"release version '" + version + "': " + versionProblem);
		}
		ReleaseVersion release = ReleaseVersion.normalize(version);
		List<String> tags = new ArrayList<>();
		strings(json.path("tags"), tags);
		strings(json.path("classifications").path("tags"), tags);
		List<String> maintainers = new ArrayList<>();
		strings(json.path("maintainer"), maintainers);
		for (JsonNode maintainer : json.path("maintainers")) {
			maintainers.add(maintainer.isObject() ? maintainer.path("name").asString("") : maintainer.asString(""));
		}
		Map<String, Provided> provides = new LinkedHashMap<>();
		provided(json.path("provides"), provides);
		provided(json.path("contents").path("extensions"), provides);
		Map<String, PreloadNeed> modulePreload = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> module : json.path("contents").path("modules").properties()) {
			PreloadNeed preload = preload(module.getKey(), module.getValue());
			if (preload != null) {
				modulePreload.put(module.getKey(), preload);
			}
		}
		List<String> normalTags = tags.stream()
			.map((t) -> t.strip().toLowerCase(java.util.Locale.ROOT))
			.filter((t) -> !t.isEmpty())
			.distinct()
			.toList();
		if (normalTags.size() > limits.maxTags()) {
			throw RegistryException.unprocessable("too-many-tags",
					"metadata has " + normalTags.size() + " tags; at most " + limits.maxTags() + " are allowed");
		}
		for (String tag : normalTags) {
			if (tag.length() > limits.maxTagLength()) {
				throw RegistryException.unprocessable("field-too-long",
						"tag '" + tag.substring(0, Math.min(40, tag.length())) + "...' has " + tag.length()
								+ " characters; at most " + limits.maxTagLength() + " are allowed");
			}
		}
		String summary = text(json, "abstract");
		String description = text(json, "description");
		String license = license(json.path("license"));
		checkLength("abstract", summary, limits.maxTextLength());
		checkLength("license", license, limits.maxTextLength());
		checkLength("description", description, limits.maxDescriptionLength());
		checkPrintable("abstract", summary, false);
		checkPrintable("license", license, false);
		checkPrintable("description", description, true);
		for (String maintainer : maintainers) {
			checkLength("maintainer", maintainer, limits.maxTextLength());
			checkPrintable("maintainer", maintainer, false);
		}
		for (String tag : normalTags) {
			checkPrintable("tag", tag, false);
		}
		for (Map.Entry<String, Provided> provided : provides.entrySet()) {
			checkLength("provides." + provided.getKey() + ".abstract", provided.getValue().summary(),
					limits.maxTextLength());
			checkPrintable("provides." + provided.getKey() + ".abstract", provided.getValue().summary(), false);
		}
		MetaSpec.check(json);
		return new ReleaseMetadata(name, release.value(), summary, description, license, maintainers, normalTags,
				provides, modulePreload, json, release.normalizedFrom(),
				new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
	}

	/**
	 * Refuses control characters in text every client shows (web pages, search answers, a
	 * terminal running the CLI, where an escape sequence recolours or rewrites what the
	 * user sees): none in one-line fields, only line breaks and tabs in a description.
	 */
	private static void checkPrintable(String field, String value, boolean multiline) {
		if (value == null) {
			return;
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
			if (control && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
				throw RegistryException.unprocessable("invalid-metadata",
						String.format("metadata '%s' has the control character U+%04X at offset %d; %s", field, (int) c,
								i, multiline ? "text with line breaks and tabs is expected"
										: "one line of printable text is expected"));
			}
		}
	}

	private static void checkLength(String field, String value, int max) {
		if (value != null && value.length() > max) {
			throw RegistryException.unprocessable("field-too-long",
					"metadata '" + field + "' has " + value.length() + " characters; at most " + max + " are allowed");
		}
	}

	/**
	 * Refuses what the catalog (PostgreSQL {@code text} and {@code jsonb}) cannot hold: a
	 * NUL character or an unpaired surrogate, in any string or property name of the
	 * document.
	 */
	private static void checkText(JsonNode node, String where) {
		if (node.isString()) {
			checkString(node.asString(), where);
		}
		else if (node.isArray()) {
			int i = 0;
			for (JsonNode item : node) {
				checkText(item, where + "[" + i++ + "]");
			}
		}
		else if (node.isObject()) {
			for (Map.Entry<String, JsonNode> property : node.properties()) {
				String path = where.isEmpty() ? property.getKey() : where + "." + property.getKey();
				checkString(property.getKey(), path);
				checkText(property.getValue(), path);
			}
		}
	}

	private static void checkString(String value, String where) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\0') {
				throw RegistryException.unprocessable("invalid-metadata", "metadata '" + printable(where)
						+ "' contains a NUL character (\\u0000), which text cannot hold");
			}
			if (Character.isHighSurrogate(c) && i + 1 < value.length()
					&& Character.isLowSurrogate(value.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				throw RegistryException.unprocessable("invalid-metadata",
						"metadata '" + printable(where) + "' contains an unpaired UTF-16 surrogate, which is not text");
			}
		}
	}

	private static String printable(String where) {
		String shown = where.replaceAll("[\\p{Cntrl}\\p{Cs}]", "?");
		return (shown.length() > 80) ? shown.substring(0, 80) + "..." : shown;
	}

	private static void provided(JsonNode node, Map<String, Provided> provides) {
		for (Map.Entry<String, JsonNode> extension : node.properties()) {
			JsonNode value = extension.getValue();
			provides.put(extension.getKey(),
					new Provided(text(value, "version"), text(value, "abstract"), preload(extension.getKey(), value)));
		}
	}

	private static PreloadNeed preload(String owner, JsonNode node) {
		String preload = text(node, "preload");
		if (preload == null) {
			return null;
		}
		try {
			return PreloadNeed.parse(preload);
		}
		catch (IllegalArgumentException ex) {
			throw RegistryException.unprocessable("invalid-metadata", owner + ": " + ex.getMessage());
		}
	}

	private static String license(JsonNode license) {
		if (license.isString()) {
			return license.asString();
		}
		List<String> names = new ArrayList<>();
		if (license.isArray()) {
			strings(license, names);
		}
		else if (license.isObject()) {
			license.propertyNames().forEach(names::add);
		}
		return names.isEmpty() ? null : String.join(" OR ", names);
	}

	private static void strings(JsonNode node, List<String> into) {
		if (node.isString()) {
			into.add(node.asString());
		}
		else if (node.isArray()) {
			for (JsonNode item : node) {
				if (item.isString()) {
					into.add(item.asString());
				}
			}
		}
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.path(field);
		return (value.isString() && !value.asString().isBlank()) ? value.asString().strip() : null;
	}

	String jsonText() {
		return this.json.toString();
	}

}
