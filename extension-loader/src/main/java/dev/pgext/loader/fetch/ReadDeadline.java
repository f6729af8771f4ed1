package dev.pgext.loader.fetch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.http.Abortable;

/**
 * A body from the store that may keep its reader waiting for a limited time in all: the
 * time spent blocked in {@code read} adds up, and when it passes the limit the connection
 * is aborted, so a read blocked on a store that stalls or trickles ends with an
 * {@link IOException} naming the limit. Time the reader spends between reads (its
 * bandwidth limit, writing the bytes) does not count: a large file read slowly on purpose
 * is not a store that stalls. Closed before its end (a body refused or cut off by its
 * reader), the connection is aborted too instead of being drained for reuse: a body that
 * never ends cannot hold its reader.
 */
final class ReadDeadline extends FilterInputStream {

	/** Aborts expired bodies; one daemon thread, which never keeps the JVM alive. */
	private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "pgext-read-deadline");
		thread.setDaemon(true);
		return thread;
	});

	private final String what;

	private final Duration limit;

	/** What is left of the limit for the reads to come. */
	private long remainingNanos;

	private volatile boolean expired;

	private boolean ended;

	private ReadDeadline(InputStream in, String what, Duration limit) {
		super(in);
		this.what = what;
		this.limit = limit;
		this.remainingNanos = limit.toNanos();
	}

	/**
	 * {@code in}, the body of {@code what}, aborted once {@code limit} has passed.
	 */
	static InputStream of(InputStream in, String what, Duration limit) {
		return new ReadDeadline(in, what, limit);
	}

	private void expire() {
		this.expired = true;
		abort();
	}

	private void abort() {
		if (this.in instanceof Abortable abortable) {
			abortable.abort();
		}
		else {
			try {
				this.in.close();
			}
			catch (IOException ex) {
				// given up either way
			}
		}
	}

	private IOException expired(IOException cause) {
		return new IOException("the store kept the reader of " + this.what + " waiting more than "
				+ this.limit.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
				+ " in all (pgext.loader.s3-read-timeout): it stalled or trickled", cause);
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return (n < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] target, int offset, int length) throws IOException {
		if (this.expired || this.remainingNanos <= 0) {
			this.expired = true;
			throw expired(null);
		}
		long started = System.nanoTime();
		ScheduledFuture<?> expiry = TIMER.schedule(this::expire, this.remainingNanos, TimeUnit.NANOSECONDS);
		try {
			int n = this.in.read(target, offset, length);
			if (n < 0) {
				this.ended = true;
			}
			return n;
		}
		catch (IOException | RuntimeException ex) {
			if (this.expired) {
				throw expired((ex instanceof IOException io) ? io : new IOException(ex));
			}
			throw ex;
		}
		finally {
			expiry.cancel(false);
			this.remainingNanos -= System.nanoTime() - started;
		}
	}

	@Override
	public long skip(long n) throws IOException {
		byte[] buffer = new byte[(int) Math.min(8192, Math.max(0, n))];
		long skipped = 0;
		while (skipped < n) {
			int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
			if (read < 0) {
				break;
			}
			skipped += read;
		}
		return skipped;
	}

	@Override
	public void close() throws IOException {
		if (!this.ended && !this.expired) {
			abort();
		}
		try {
			this.in.close();
		}
		catch (IOException ex) {
			if (this.ended) {
				throw ex;
			}
			// an aborted connection cannot be closed cleanly
		}
	}

}
