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
import dev.pgext.registry.problem.RegistryException;

/**
 * The release metadata a publisher sends: PGXN {@code META.json} v1, with the fields v2
 * adds taken where present ({@code maintainers}, {@code classifications.tags},
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
 */
record ReleaseMetadata(String name, String version, String summary, String description, String license,
		List<String> maintainers, List<String> tags, Map<String, Provided> provides,
		Map<String, PreloadNeed> modulePreload, JsonNode json) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

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
		String name = text(json, "name");
		String version = text(json, "version");
		if (name == null || version == null) {
			throw RegistryException.unprocessable("invalid-metadata", "metadata needs 'name' and 'version'");
		}
		String nameProblem = ExtensionName.problem(name);
		if (nameProblem != null) {
			throw RegistryException.unprocessable("invalid-name", "distribution name '" + name + "': " + nameProblem);
		}
		String versionProblem = ExtensionVersion.problem(version);
		if (versionProblem != null) {
			throw RegistryException.unprocessable("invalid-version",
					"release version '" + version + "': " + versionProblem);
		}
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
		return new ReleaseMetadata(name, version, text(json, "abstract"), text(json, "description"),
				license(json.path("license")), maintainers,
				tags.stream()
					.map((t) -> t.strip().toLowerCase(java.util.Locale.ROOT))
					.filter((t) -> !t.isEmpty())
					.distinct()
					.toList(),
				provides, modulePreload, json);
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
