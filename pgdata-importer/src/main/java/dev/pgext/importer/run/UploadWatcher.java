package dev.pgext.importer.run;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.github.resilience4j.retry.Retry;

import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.pgdata.UploadFileList;
import dev.pgext.model.store.Backoff;

/**
 * Waits for the uploader to say the PGDATA is complete: polls
 * {@code <prefix>/status/pgdata} with exponential backoff until it holds {@code {"done":
 * true}}, and fails the import when that has not happened within the wait timeout after
 * the import started (restarts do not extend it). A status object that is no JSON object,
 * or whose {@code done} is neither {@code true} nor {@code false}, fails the import at
 * once: waiting would not change it.
 */
final class UploadWatcher {

	private static final int MAX_STATUS_BYTES = 64 * 1024 * 1024;

	private final S3Reads reads;

	private final Duration timeout;

	private final Duration pollInitial;

	private final Duration pollMax;

	private final Clock clock;

	UploadWatcher(S3Reads reads, Duration timeout, Duration pollInitial, Duration pollMax, Clock clock) {
		this.reads = reads;
		this.timeout = timeout;
		this.pollInitial = pollInitial;
		this.pollMax = pollMax;
		this.clock = clock;
	}

	/**
	 * Waits until the status object says done and leaves it in {@code status}, copied as
	 * it streams in (its file list can be large; it is never held in memory); only its
	 * {@code done} is read here, with a streaming parser.
	 * @param status the local file the object is copied into at every poll
	 * @param stopped checked before every poll; throws to abandon the wait
	 */
	void await(String bucket, String prefix, Instant startedAt, Path status, Runnable stopped) throws Exception {
		Instant deadline = startedAt.plus(this.timeout);
		String key = ImportLayout.pgdataStatus(prefix);
		Retry retry = Backoff.retry("importer-upload-wait", Integer.MAX_VALUE, this.pollInitial, this.pollMax,
				(ex) -> (ex instanceof NotYetDone || StoreRetry.isTransient(ex))
						&& this.clock.instant().isBefore(deadline) && !Thread.currentThread().isInterrupted());
		try {
			retry.executeCallable(() -> {
				stopped.run();
				if (!this.reads.download(bucket, key, status, MAX_STATUS_BYTES)) {
					throw new NotYetDone();
				}
				boolean done;
				try {
					done = UploadFileList.done(status);
				}
				catch (InvalidPgdataException ex) {
					throw new ImportFailedException(ex.getMessage());
				}
				if (!done) {
					throw new NotYetDone();
				}
				return null;
			});
		}
		catch (NotYetDone ex) {
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedException("interrupted while waiting for the upload");
			}
			throw new ImportFailedException("the PGDATA upload did not finish within " + this.timeout
					+ ": 'status/pgdata' never said {\"done\": true}");
		}
	}

	/** The status object is missing or does not say done yet. */
	private static final class NotYetDone extends RuntimeException {

		NotYetDone() {
			super("the upload is not complete yet", null, false, false);
		}

	}

}
