package dev.pgext.registry.problem;

import java.time.Duration;

import org.springframework.http.HttpStatus;

/**
 * A request refused only for now (the registry is busy): the one 503 a client may simply
 * repeat, answered with {@code Retry-After}.
 */
public class RetryLaterException extends RegistryException {

	private final Duration retryAfter;

	public RetryLaterException(String kind, String detail, Duration retryAfter) {
		super(HttpStatus.SERVICE_UNAVAILABLE, kind, detail);
		this.retryAfter = retryAfter;
	}

	/**
	 * The registry's database does not answer (down, restarting, unreachable, or no
	 * connection free within the pool's timeout): nothing the request did, and nothing a
	 * repeat in a few seconds cannot mend.
	 */
	public static RetryLaterException databaseUnavailable() {
		return new RetryLaterException("database-unavailable", "the registry's database is not available; retry later",
				Duration.ofSeconds(5));
	}

	public Duration retryAfter() {
		return this.retryAfter;
	}

}
