package dev.pgext.cli.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.registry.RegistryClient;

/**
 * The parts of a PGXN {@code META.json} the local checks need.
 *
 * @param name the distribution name
 * @param version the release version as written
 * @param provides extension name to the extension version it installs ({@code null} when the
 * metadata leaves it to the control file's {@code default_version})
 */
public record Metadata(String name, String version, Map<String, String> provides) {

	private static final String NUMBER = "(0|[1-9][0-9]*)";

	private static final String IDENTIFIER = "(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";

	/**
	 * The registry's rule: PGXN's semantic version, and the lax forms it normalises
	 * ({@code 1.0} is {@code 1.0.0}, {@code v1.2.3} is {@code 1.2.3}).
	 */
	private static final Pattern LAX_SEMVER = Pattern.compile("[vV]?" + NUMBER + "(?:\\." + NUMBER + ")?(?:\\."
			+ NUMBER + ")?(-" + IDENTIFIER + "(?:\\." + IDENTIFIER + ")*)?(\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

	/** Reads {@code file}; a missing or malformed file is a local error. */
	public static Metadata read(Path file) {
		if (!Files.isRegularFile(file)) {
			throw CliException.local("no " + file + ": write one with pgext init");
		}
		JsonNode json;
		try {
			json = RegistryClient.JSON.readTree(Files.readAllBytes(file));
		}
		catch (IOException | JacksonException ex) {
			throw CliException.local(file + " is not readable JSON: " + ex.getMessage());
		}
		if (json == null || !json.isObject()) {
			throw CliException.local(file + " must hold a JSON object");
		}
		Map<String, String> provides = new LinkedHashMap<>();
		json.path("provides").properties()
			.forEach((e) -> provides.put(e.getKey(), textOrNull(e.getValue().get("version"))));
		json.path("contents").path("extensions").properties()
			.forEach((e) -> provides.putIfAbsent(e.getKey(), textOrNull(e.getValue().get("version"))));
		return new Metadata(textOrNull(json.get("name")), textOrNull(json.get("version")), provides);
	}

	private static String textOrNull(JsonNode node) {
		return (node == null || node.isNull() || !node.isValueNode()) ? null : node.asString();
	}

	/**
	 * {@code version} as the registry stores it ({@code 1.0} is {@code 1.0.0}), or {@code null}
	 * when the registry would refuse it.
	 */
	public static String normalizedVersion(String version) {
		if (version == null) {
			return null;
		}
		Matcher m = LAX_SEMVER.matcher(version);
		if (version.length() > 63 || !m.matches()) {
			return null;
		}
		return m.group(1) + "." + ((m.group(2) != null) ? m.group(2) : "0") + "."
				+ ((m.group(3) != null) ? m.group(3) : "0") + ((m.group(4) != null) ? m.group(4) : "")
				+ ((m.group(5) != null) ? m.group(5) : "");
	}

}
