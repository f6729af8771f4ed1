package dev.pgext.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An extension version string, with the server's rules for version names: not empty, no
 * {@code --}, no leading or trailing {@code -}, no directory separator. Postgres compares
 * versions only for equality; so does this record.
 *
 * @param value the version, as in {@code CREATE EXTENSION ... VERSION 'value'}
 */
public record ExtensionVersion(@JsonValue String value) {

	public ExtensionVersion {
		String problem = problem(value);
		if (problem != null) {
			throw new InvalidValueException("invalid extension version \"" + value + "\": " + problem);
		}
	}

	@JsonCreator
	public static ExtensionVersion of(String value) {
		return new ExtensionVersion(value);
	}

	/**
	 * What is wrong with {@code version} as a version name, or {@code null} when it is
	 * valid.
	 */
	public static String problem(String version) {
		if (version == null || version.isEmpty()) {
			return "version must not be empty";
		}
		if (version.length() > 63) {
			return "version must be at most 63 characters";
		}
		if (version.contains("--")) {
			return "version must not contain \"--\"";
		}
		if (version.startsWith("-") || version.endsWith("-")) {
			return "version must not begin or end with \"-\"";
		}
		if (version.contains("/") || version.contains("\\")) {
			return "version must not contain directory separators";
		}
		for (int i = 0; i < version.length(); i++) {
			if (Character.isISOControl(version.charAt(i)) || Character.isWhitespace(version.charAt(i))) {
				return "version must not contain whitespace or control characters";
			}
		}
		return null;
	}

	@Override
	public String toString() {
		return this.value;
	}

}
