package dev.pgext.model;

import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The id of a tenant (a project) whose private extensions live under its own prefix in
 * the extension store. Lower-case letters, digits, {@code -} and {@code _}, at most 64
 * characters; never all digits (that would collide with a Postgres major prefix) and
 * never a top-level name of the store.
 *
 * @param value the id as it appears in store keys
 */
public record TenantId(@JsonValue String value) {

	private static final Pattern GRAMMAR = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

	private static final Set<String> RESERVED = Set.of("blobs", "bundles", "mirror", "public", "imports");

	public TenantId {
		if (value == null || !GRAMMAR.matcher(value).matches()) {
			throw new InvalidValueException("tenant id '" + value
					+ "' must be 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit");
		}
		if (value.chars().allMatch(Character::isDigit)) {
			throw new InvalidValueException("tenant id '" + value + "' must not be all digits");
		}
		if (RESERVED.contains(value)) {
			throw new InvalidValueException("tenant id '" + value + "' is reserved");
		}
	}

	@JsonCreator
	public static TenantId of(String value) {
		return new TenantId(value);
	}

	@Override
	public String toString() {
		return this.value;
	}

}
