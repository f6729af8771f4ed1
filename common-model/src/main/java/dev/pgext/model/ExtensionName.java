package dev.pgext.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The name of a Postgres extension, checked with the server's own rules: not empty,
 * shorter than {@code NAMEDATALEN} (63 bytes), no {@code --}, no leading or trailing
 * {@code -}, no directory separator. pgext also refuses characters outside ASCII letters,
 * digits, {@code _} and {@code -}, so that a name is always a safe file and key name.
 *
 * @param value the extension name, as in {@code CREATE EXTENSION value}
 */
public record ExtensionName(@JsonValue String value) implements Comparable<ExtensionName> {

	/** Postgres' NAMEDATALEN minus the terminating zero byte. */
	public static final int MAX_LENGTH = 63;

	public ExtensionName {
		String problem = problem(value);
		if (problem != null) {
			throw new InvalidValueException("invalid extension name \"" + value + "\": " + problem);
		}
	}

	@JsonCreator
	public static ExtensionName of(String value) {
		return new ExtensionName(value);
	}

	/**
	 * What is wrong with {@code name} as an extension name, or {@code null} when it is
	 * valid.
	 */
	public static String problem(String name) {
		if (name == null || name.isEmpty()) {
			return "name must not be empty";
		}
		if (name.length() > MAX_LENGTH) {
			return "name must be at most " + MAX_LENGTH + " characters";
		}
		if (name.contains("--")) {
			return "name must not contain \"--\"";
		}
		if (name.startsWith("-") || name.endsWith("-")) {
			return "name must not begin or end with \"-\"";
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
					|| c == '-';
			if (!ok) {
				return "name must contain only letters, digits, '_' and '-' (found '" + c + "')";
			}
		}
		return null;
	}

	@Override
	public int compareTo(ExtensionName other) {
		return this.value.compareTo(other.value);
	}

	@Override
	public String toString() {
		return this.value;
	}

}
