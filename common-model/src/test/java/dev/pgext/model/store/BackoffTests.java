package dev.pgext.model.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry shape's waits: exponential with jitter within its cap, and at least what a
 * server asked for (up to two minutes) when a failure carries that.
 */
class BackoffTests {

	private final Retry retry = Backoff.retry("test", 5, Duration.ofMillis(100), Duration.ofSeconds(1), (ex) -> true);

	@Test
	void waitsGrowFromTheInitialWaitAndStayUnderTheCap() {
		for (int attempt = 1; attempt <= 5; attempt++) {
			long wait = waitAfter(attempt, new IOException("reset"));
			assertThat(wait).isBetween(50L, 1000L);
		}
		assertThat(waitAfter(1, new IOException("reset"))).isLessThanOrEqualTo(150L);
	}

	@Test
	void aServersRetryAfterIsWaitedEvenBeyondTheCapUpToTwoMinutes() {
		assertThat(waitAfter(1, new Throttled(Duration.ofSeconds(7)))).isEqualTo(7000L);
		// found as a cause too, as a client's wrapper would carry it
		assertThat(waitAfter(2, new UncheckedIOException(new Throttled(Duration.ofSeconds(3))))).isEqualTo(3000L);
		assertThat(waitAfter(1, new Throttled(Duration.ofHours(1)))).isEqualTo(Backoff.MAX_ASKED_WAIT.toMillis());
		// an ask shorter than the backoff's own wait does not shorten it
		assertThat(waitAfter(1, new Throttled(Duration.ZERO))).isBetween(50L, 150L);
	}

	private long waitAfter(int attempt, Throwable failure) {
		return this.retry.getRetryConfig().<Object>getIntervalBiFunction().apply(attempt, Either.left(failure));
	}

	/** A failure that carries the server's wait. */
	static final class Throttled extends IOException implements Backoff.AskedWait {

		private final Duration wait;

		Throttled(Duration wait) {
			super("429");
			this.wait = wait;
		}

		@Override
		public Duration askedWait() {
			return this.wait;
		}

	}

}
