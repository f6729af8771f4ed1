package dev.pgext.importer.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.retry.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import dev.pgext.model.store.Backoff;
import dev.pgext.model.store.ObjectStoreException;

/**
 * Rides out a store that fails for a while: a step of an import (a job, planning,
 * recording the outcome) that fails with a transient store error (5xx, throttling, a
 * reset or cut connection, an open circuit breaker) even after the store client's own
 * retries is run again with backoff, until {@code deadline} has passed since the first
 * failure in a row. Steps are idempotent: a job rewrites the same layer, a plan is
 * recorded once.
 */
final class StoreRetry {

	private static final Logger log = LoggerFactory.getLogger(StoreRetry.class);

	private final Duration deadline;

	private final Duration initialWait;

	private final Duration maxWait;

	private final Clock clock;

	StoreRetry(Duration deadline, Duration initialWait, Duration maxWait, Clock clock) {
		this.deadline = deadline;
		this.initialWait = initialWait;
		this.maxWait = maxWait;
		this.clock = clock;
	}

	/**
	 * Runs {@code step} until it succeeds, fails for another reason, or keeps failing
	 * transiently past the deadline; then its last failure is thrown, wrapped in a
	 * {@link StoreUnavailableException}.
	 */
	<T> T call(String what, Callable<T> step) throws Exception {
		Instant until = this.clock.instant().plus(this.deadline);
		AtomicReference<Throwable> last = new AtomicReference<>();
		Retry retry = Backoff.retry("importer-" + what, Integer.MAX_VALUE, this.initialWait, this.maxWait, (ex) -> {
			last.set(ex);
			boolean again = isTransient(ex) && this.clock.instant().isBefore(until)
					&& !Thread.currentThread().isInterrupted();
			if (again) {
				log.info("{}: transient store error, trying again: {}", what, describe(ex));
			}
			return again;
		});
		try {
			return retry.executeCallable(step);
		}
		catch (Exception ex) {
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedException("interrupted while retrying " + what);
			}
			if (isTransient(ex)) {
				throw new StoreUnavailableException(
						"the object store kept failing for " + this.deadline + " (" + what + "): " + describe(ex), ex);
			}
			throw ex;
		}
	}

	/** Whether {@code ex} (or what it wraps) is a failure of the store that may pass. */
	static boolean isTransient(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof StoreUnavailableException) {
				return false;
			}
			if (t instanceof ObjectStoreException store) {
				int status = store.statusCode();
				if (status == 0 || status == 429 || status >= 500) {
					return true;
				}
				if (status != 0) {
					return false;
				}
			}
			if (t instanceof S3Exception s3) {
				return s3.statusCode() == 0 || s3.statusCode() == 429 || s3.statusCode() >= 500;
			}
			if (t instanceof SdkClientException || t instanceof UncheckedIOException || t instanceof IOException
					|| t instanceof CallNotPermittedException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * What the store did, in words: the status and error code, or the network failure.
	 */
	static String describe(Throwable ex) {
		StringBuilder text = new StringBuilder(String.valueOf(ex.getMessage()));
		for (Throwable t = ex.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
			if (t.getMessage() != null && !text.toString().contains(t.getMessage())) {
				text.append(": ").append(t.getMessage());
			}
		}
		return text.toString();
	}

	/**
	 * The store kept failing transiently past the deadline.
	 */
	static final class StoreUnavailableException extends RuntimeException {

		StoreUnavailableException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
