package dev.pgext.model;

import java.util.List;
import java.util.stream.IntStream;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A PostgreSQL major version, such as 15 or 17.
 *
 * @param value the major version number
 */
public record PgMajor(@JsonValue int value) implements Comparable<PgMajor> {

	/** Lowest major pgext supports. */
	public static final int MIN_SUPPORTED = 14;

	/** Highest major pgext supports. */
	public static final int MAX_SUPPORTED = 18;

	@JsonCreator
	public static PgMajor of(int value) {
		return new PgMajor(value);
	}

	public PgMajor {
		if (value < MIN_SUPPORTED || value > MAX_SUPPORTED) {
			throw new InvalidValueException("PostgreSQL major " + value + " is not supported (supported: "
					+ MIN_SUPPORTED + " to " + MAX_SUPPORTED + ")");
		}
	}

	/**
	 * Parses {@code "15"}, {@code "v15"} or a full version string such as
	 * {@code "15.19"}.
	 */
	public static PgMajor parse(String text) {
		if (text == null || text.isBlank()) {
			throw new InvalidValueException("PostgreSQL major is empty");
		}
		String t = text.strip();
		if (t.startsWith("v") || t.startsWith("V")) {
			t = t.substring(1);
		}
		int dot = t.indexOf('.');
		if (dot >= 0) {
			t = t.substring(0, dot);
		}
		try {
			return new PgMajor(Integer.parseInt(t));
		}
		catch (NumberFormatException ex) {
			throw new InvalidValueException("'" + text + "' is not a PostgreSQL major version");
		}
	}

	/** Every supported major, lowest first. */
	public static List<PgMajor> supported() {
		return IntStream.rangeClosed(MIN_SUPPORTED, MAX_SUPPORTED).mapToObj(PgMajor::new).toList();
	}

	@Override
	public int compareTo(PgMajor other) {
		return Integer.compare(this.value, other.value);
	}

	@Override
	public String toString() {
		return Integer.toString(this.value);
	}

}
