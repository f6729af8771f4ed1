package dev.pgext.loader.fetch;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import dev.pgext.model.store.Backoff;

/**
 * The registry answered 429 or a 5xx: worth another attempt, after the wait its
 * {@code Retry-After} asks for when it sent one (seconds, or an HTTP date), which the
 * retry then honours ({@link Backoff.AskedWait}).
 */
final class RegistryBusyException extends IOException implements Backoff.AskedWait {

	private final transient Duration askedWait;

	private RegistryBusyException(String message, Duration askedWait) {
		super(message);
		this.askedWait = askedWait;
	}

	/**
	 * The failure {@code message}, with the wait {@code retryAfter} (the header's value,
	 * or null) asks for; a value that is neither seconds nor a date asks for nothing.
	 */
	static RegistryBusyException of(String message, String retryAfter) {
		Duration wait = parse(retryAfter, Instant.now());
		return new RegistryBusyException(
				(wait != null) ? message + " (Retry-After " + wait.toSeconds() + " s)" : message, wait);
	}

	static Duration parse(String retryAfter, Instant now) {
		if (retryAfter == null || retryAfter.isBlank()) {
			return null;
		}
		String value = retryAfter.strip();
		try {
			if (value.chars().allMatch(Character::isDigit)) {
				return Duration.ofSeconds(Long.parseLong(value));
			}
			Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
			Duration wait = Duration.between(now, at);
			return wait.isNegative() ? Duration.ZERO : wait;
		}
		catch (NumberFormatException | DateTimeParseException ex) {
			return null;
		}
	}

	@Override
	public Duration askedWait() {
		return this.askedWait;
	}

}
