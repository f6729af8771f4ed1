package dev.pgext.model.store;

import java.time.Duration;
import java.util.function.Predicate;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

/**
 * The one retry shape pgext uses for remote calls: exponential backoff doubling from an
 * initial wait, with jitter (so that many callers do not retry in step), capped (at 20 s
 * unless the caller chooses), and only for the failures the caller says are worth another
 * attempt.
 */
public final class Backoff {

	private static final Duration MAX_WAIT = Duration.ofSeconds(20);

	private Backoff() {
	}

	/**
	 * A retry of {@code attempts} attempts (the first included) for failures
	 * {@code retryable} accepts.
	 */
	public static Retry retry(String name, int attempts, Duration initialWait, Predicate<Throwable> retryable) {
		return retry(name, attempts, initialWait, MAX_WAIT, retryable);
	}

	/**
	 * A retry of {@code attempts} attempts (the first included; {@link Integer#MAX_VALUE}
	 * for as long as {@code retryable} says so, for example until a deadline) whose waits
	 * double from {@code initialWait} up to {@code maxWait}.
	 */
	public static Retry retry(String name, int attempts, Duration initialWait, Duration maxWait,
			Predicate<Throwable> retryable) {
		return Retry.of(name,
				RetryConfig.custom()
					.maxAttempts(attempts)
					.intervalFunction(IntervalFunction.ofExponentialRandomBackoff(initialWait, 2.0, 0.5, maxWait))
					.retryOnException(retryable)
					.failAfterMaxAttempts(false)
					.build());
	}

}
