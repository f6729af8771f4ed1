package dev.pgext.importer.api;

import java.util.regex.Pattern;

/**
 * Checks of the identifiers in request paths.
 */
final class Ids {

	private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{32}");

	private static final Pattern SHARD = Pattern.compile("[0-9]{1,3}");

	private Ids() {
	}

	static String tenant(String value) {
		return hexId("tenant", value);
	}

	static String timeline(String value) {
		return hexId("timeline", value);
	}

	static int shard(String value) {
		if (value == null || !SHARD.matcher(value).matches()) {
			throw new InvalidRequestException("shard must be a shard number (0 to 254), not '" + value + "'");
		}
		return Integer.parseInt(value);
	}

	private static String hexId(String what, String value) {
		if (value == null || !HEX_ID.matcher(value).matches()) {
			throw new InvalidRequestException(what + " id must be 32 lower-case hex digits");
		}
		return value;
	}

	/**
	 * A path identifier is malformed.
	 */
	static final class InvalidRequestException extends RuntimeException {

		InvalidRequestException(String message) {
			super(message);
		}

	}

}
