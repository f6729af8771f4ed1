package dev.pgext.importer.run;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.pgext.model.store.ObjectStoreException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A step that meets a failing store is run again while the failures are transient and
 * younger than the deadline; then the import learns what the store did.
 */
class StoreRetryTests {

	private final SteppingClock clock = new SteppingClock();

	private final StoreRetry retry = new StoreRetry(Duration.ofMinutes(15), Duration.ofMillis(1), Duration.ofMillis(2),
			this.clock);

	@Test
	void transientFailuresAreRetriedUntilTheStepSucceeds() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		String result = this.retry.call("job 1", () -> {
			switch (calls.incrementAndGet()) {
				case 1 -> throw new ObjectStoreException("S3 get k failed: 503 SlowDown", 503, null);
				case 2 -> throw new UncheckedIOException(new java.io.IOException(
						"Premature end of Content-Length delimited message body (expected: 8,192; received: 4,096)"));
				case 3 -> throw new ObjectStoreException("S3 put k failed: Connection reset", 0, null);
				default -> {
					return "layer";
				}
			}
		});
		assertThat(result).isEqualTo("layer");
		assertThat(calls).hasValue(4);
	}

	@Test
	void aClientErrorFailsAtOnce() {
		AtomicInteger calls = new AtomicInteger();
		assertThatThrownBy(() -> this.retry.call("job 1", () -> {
			calls.incrementAndGet();
			throw new ObjectStoreException("S3 get k failed: 403 AccessDenied", 403, null);
		})).isInstanceOf(ObjectStoreException.class).hasMessageContaining("403");
		assertThat(calls).hasValue(1);
	}

	@Test
	void failuresLastingPastTheDeadlineFailTheStepSayingWhatTheStoreDid() {
		AtomicInteger calls = new AtomicInteger();
		assertThatThrownBy(() -> this.retry.call("job 7", () -> {
			calls.incrementAndGet();
			this.clock.advance(Duration.ofMinutes(4));
			throw new ObjectStoreException("S3 get pgdata/base/5/16384 failed: 503 SlowDown", 503, null);
		})).isInstanceOf(StoreRetry.StoreUnavailableException.class)
			.hasMessage(
					"the object store kept failing for PT15M (job 7): S3 get pgdata/base/5/16384 failed: 503 SlowDown");
		assertThat(calls).hasValue(4);
	}

	/** A clock that moves only when told. */
	private static final class SteppingClock extends Clock {

		private volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

		void advance(Duration by) {
			this.now = this.now.plus(by);
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
