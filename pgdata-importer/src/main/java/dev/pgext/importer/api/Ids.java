package dev.pgext.importer.api;

import java.util.regex.Pattern;

/**
 * Checks of the identifiers in request paths.
 */
final class Ids {

	private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{32}");

	private static final Pattern SHARD = Pattern.compile("[0-9]{1,3}");

	/**
	 * Neon's {@code TenantShardId}: the tenant, then for a sharded tenant the shard
	 * number and count in hex.
	 */
	private static final Pattern TENANT_SHARD = Pattern.compile("([0-9a-f]{32})(?:-([0-9a-f]{2})([0-9a-f]{2}))?");

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

	/**
	 * Reads Neon's tenant shard id: {@code <tenant>} for an unsharded tenant,
	 * {@code <tenant>-NNCC} for shard {@code NN} of {@code CC} (two hex digits each; a
	 * count of 0 is Neon's unsharded).
	 */
	static TenantShard tenantShard(String value) {
		var matcher = (value != null) ? TENANT_SHARD.matcher(value) : null;
		if (matcher == null || !matcher.matches()) {
			throw new InvalidRequestException("tenant_shard_id must be a tenant id (32 lower-case hex digits), "
					+ "optionally followed by -NNCC (shard number and count, two hex digits each), not '" + value
					+ "'");
		}
		if (matcher.group(2) == null) {
			return new TenantShard(matcher.group(1), 0, 1);
		}
		int number = Integer.parseInt(matcher.group(2), 16);
		int count = Math.max(1, Integer.parseInt(matcher.group(3), 16));
		if (number >= count) {
			throw new InvalidRequestException("tenant_shard_id names shard " + number + " of " + count);
		}
		return new TenantShard(matcher.group(1), number, count);
	}

	private static String hexId(String what, String value) {
		if (value == null || !HEX_ID.matcher(value).matches()) {
			throw new InvalidRequestException(what + " id must be 32 lower-case hex digits");
		}
		return value;
	}

	/**
	 * A tenant shard as Neon names it.
	 *
	 * @param tenant the tenant id
	 * @param number the shard number
	 * @param count the shard count the caller believes the tenant has (1 when unsharded)
	 */
	record TenantShard(String tenant, int number, int count) {

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
