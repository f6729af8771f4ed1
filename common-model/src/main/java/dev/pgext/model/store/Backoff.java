package dev.pgext.model.store;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

/**
 * The one retry shape pgext uses for remote calls: exponential backoff doubling from an
 * initial wait, with jitter (so that many callers do not retry in step), capped (at 20 s
 * unless the caller chooses), and only for the failures the caller says are worth another
 * attempt. A failure that carries the server's own wait ({@link AskedWait}, from a
 * {@code Retry-After}) waits at least that long, up to {@link #MAX_ASKED_WAIT}.
 */
public final class Backoff {

	private static final Duration MAX_WAIT = Duration.ofSeconds(20);

	/** The longest a server's {@code Retry-After} is honoured before the next attempt. */
	public static final Duration MAX_ASKED_WAIT = Duration.ofMinutes(2);

	private Backoff() {
	}

	/**
	 * A failure whose server said when to ask again (an HTTP {@code Retry-After} on a 429
	 * or 503).
	 */
	public interface AskedWait {

		/** How long the server asked the client to wait before the next attempt. */
		Duration askedWait();

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
	 * double from {@code initialWait} up to {@code maxWait}, or last what the server
	 * asked for when that is longer.
	 */
	public static Retry retry(String name, int attempts, Duration initialWait, Duration maxWait,
			Predicate<Throwable> retryable) {
		IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(initialWait, 2.0, 0.5, maxWait);
		return Retry.of(name, RetryConfig.custom().maxAttempts(attempts).intervalBiFunction((attempt, outcome) -> {
			long wait = backoff.apply(attempt);
			Optional<Duration> asked = outcome.isLeft() ? asked(outcome.getLeft()) : Optional.empty();
			return asked.map((d) -> Math.max(wait, Math.min(d.toMillis(), MAX_ASKED_WAIT.toMillis()))).orElse(wait);
		}).retryOnException(retryable).failAfterMaxAttempts(false).build());
	}

	/** The wait the server asked for, from {@code failure} or one of its causes. */
	static Optional<Duration> asked(Throwable failure) {
		for (Throwable t = failure; t != null; t = (t.getCause() != t) ? t.getCause() : null) {
			if (t instanceof AskedWait asked && asked.askedWait() != null && !asked.askedWait().isNegative()) {
				return Optional.of(asked.askedWait());
			}
		}
		return Optional.empty();
	}

}
