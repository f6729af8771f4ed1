package dev.pgext.cli.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.model.release.ReleaseVersion;

/**
 * The parts of a PGXN {@code META.json} the local checks need.
 *
 * @param name the distribution name
 * @param version the release version as written
 * @param provides extension name to the extension version it installs ({@code null} when
 * the metadata leaves it to the control file's {@code default_version})
 * @param document the whole document as read, {@code null} when not read from a file
 * @param size the file's size in bytes
 */
public record Metadata(String name, String version, Map<String, String> provides, JsonNode document, long size) {

	/** Metadata of these parts alone, not read from a file. */
	public Metadata(String name, String version, Map<String, String> provides) {
		this(name, version, provides, null, 0);
	}

	/** Reads {@code file}; a missing or malformed file is a local error. */
	public static Metadata read(Path file) {
		if (!Files.isRegularFile(file)) {
			throw CliException.local("no " + file + ": write one with pgext init");
		}
		JsonNode json;
		long size;
		try {
			byte[] bytes = Files.readAllBytes(file);
			size = bytes.length;
			json = RegistryClient.JSON.readTree(bytes);
		}
		catch (IOException | JacksonException ex) {
			throw CliException.local(file + " is not readable JSON: " + ex.getMessage());
		}
		if (json == null || !json.isObject()) {
			throw CliException.local(file + " must hold a JSON object");
		}
		Map<String, String> provides = new LinkedHashMap<>();
		json.path("provides")
			.properties()
			.forEach((e) -> provides.put(e.getKey(), textOrNull(e.getValue().get("version"))));
		json.path("contents")
			.path("extensions")
			.properties()
			.forEach((e) -> provides.putIfAbsent(e.getKey(), textOrNull(e.getValue().get("version"))));
		return new Metadata(textOrNull(json.get("name")), textOrNull(json.get("version")), provides, json, size);
	}

	private static String textOrNull(JsonNode node) {
		return (node == null || node.isNull() || !node.isValueNode()) ? null : node.asString();
	}

	/**
	 * {@code version} as the registry stores it ({@code 1.0} is {@code 1.0.0}), or
	 * {@code null} when the registry would refuse it.
	 */
	public static String normalizedVersion(String version) {
		if (version == null || ReleaseVersion.problem(version) != null) {
			return null;
		}
		return ReleaseVersion.normalize(version).value();
	}

}
