package dev.pgext.model.release;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of a release, a semantic version as PGXN requires
 * ({@code MAJOR.MINOR.PATCH}, an optional {@code -pre.release} and {@code +build},
 * numbers without leading zeros). Lax forms publishers commonly write are normalised
 * rather than refused, and the publish answer says so: {@code 1} and {@code 1.0} become
 * {@code 1.0.0}, a leading {@code v} is dropped ({@code v1.2.3} is {@code 1.2.3}).
 * Anything else, such as {@code 01.02.03} or {@code 1.0.0.1}, is refused.
 *
 * @param value the normalised version
 * @param normalizedFrom the version as written, when it was not already normal; or
 * {@code null}
 */
public record ReleaseVersion(String value, String normalizedFrom) {

	private static final String NUMBER = "(0|[1-9][0-9]*)";

	private static final String IDENTIFIER = "(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";

	private static final Pattern LAX = Pattern.compile("[vV]?" + NUMBER + "(?:\\." + NUMBER + ")?(?:\\." + NUMBER
			+ ")?(-" + IDENTIFIER + "(?:\\." + IDENTIFIER + ")*)?(\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

	/**
	 * What is wrong with {@code text} as a release version, or {@code null} when it is
	 * one (possibly after normalisation).
	 */
	public static String problem(String text) {
		if (text.length() > 63) {
			return "a release version has at most 63 characters";
		}
		if (!LAX.matcher(text).matches()) {
			return "not a semantic version (MAJOR.MINOR.PATCH, numbers without leading zeros, optionally "
					+ "-prerelease and +build, such as 1.4.0 or 2.0.0-beta.1)";
		}
		return null;
	}

	/** {@code text} in normal form; call after {@link #problem(String)} found nothing. */
	public static ReleaseVersion normalize(String text) {
		Matcher matcher = LAX.matcher(text);
		if (!matcher.matches()) {
			throw new IllegalStateException(problem(text));
		}
		String value = matcher.group(1) + "." + ((matcher.group(2) != null) ? matcher.group(2) : "0") + "."
				+ ((matcher.group(3) != null) ? matcher.group(3) : "0")
				+ ((matcher.group(4) != null) ? matcher.group(4) : "")
				+ ((matcher.group(5) != null) ? matcher.group(5) : "");
		return new ReleaseVersion(value, value.equals(text) ? null : text);
	}

}
