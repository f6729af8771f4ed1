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

	public Duration retryAfter() {
		return this.retryAfter;
	}

}
