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
 * A body from the store that must be read within a time limit: when the limit passes, its
 * connection is aborted, so a read blocked on a store that stalls or trickles ends with
 * an {@link IOException} naming the limit. Closed before its end (a body refused or cut
 * off by its reader), the connection is aborted too instead of being drained for reuse: a
 * body that never ends cannot hold its reader.
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

	private final ScheduledFuture<?> expiry;

	private volatile boolean expired;

	private boolean ended;

	private ReadDeadline(InputStream in, String what, Duration limit) {
		super(in);
		this.what = what;
		this.limit = limit;
		this.expiry = TIMER.schedule(this::expire, limit.toMillis(), TimeUnit.MILLISECONDS);
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
		return new IOException(this.what + " was not read within " + this.limit
				+ " (pgext.loader.s3-read-timeout): the store stalled or trickled", cause);
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return (n < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] target, int offset, int length) throws IOException {
		if (this.expired) {
			throw expired(null);
		}
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
		this.expiry.cancel(false);
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
