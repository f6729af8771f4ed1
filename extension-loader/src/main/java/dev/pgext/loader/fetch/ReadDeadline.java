package dev.pgext.loader.fetch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.http.Abortable;

/**
 * A body from the store or the registry that may keep its reader waiting for a limited
 * time in all: the time spent blocked in {@code read} adds up, and when it passes the
 * limit the connection is aborted, so a read blocked on a server that stalls or trickles
 * ends with an {@link IOException} naming the limit. Time the reader spends between reads
 * (its bandwidth limit, writing the bytes) does not count: a large file read slowly on
 * purpose is not a store that stalls. Closed before its end (a body refused or cut off by
 * its reader), the connection is aborted too instead of being drained for reuse: a body
 * that never ends cannot hold its reader.
 */
final class ReadDeadline extends FilterInputStream {

	/**
	 * Watches the bodies being read; one daemon thread, which never keeps the JVM alive,
	 * and a cancelled watch leaves its queue at once.
	 */
	private static final ScheduledThreadPoolExecutor TIMER = timer();

	private final String what;

	private final Duration limit;

	/** Who serves the body and the setting the limit comes from, for the message. */
	private final Server server;

	/** Time spent blocked in finished reads, written by the reader only. */
	private volatile long blockedNanos;

	/** When the read in progress began, or 0 between reads. */
	private volatile long readSince;

	private volatile ScheduledFuture<?> watch;

	private volatile boolean expired;

	/** Read to its end. */
	private boolean ended;

	/** Closed by its reader: the watch ends. */
	private volatile boolean closed;

	/**
	 * Who serves a body, and the setting that limits how long it may keep its reader
	 * waiting.
	 */
	enum Server {

		STORE("the store", "pgext.loader.s3-read-timeout"),
		REGISTRY("the registry", "pgext.loader.registry.read-timeout");

		private final String name;

		private final String setting;

		Server(String name, String setting) {
			this.name = name;
			this.setting = setting;
		}

	}

	private ReadDeadline(InputStream in, Server server, String what, Duration limit) {
		super(in);
		this.server = server;
		this.what = what;
		this.limit = limit;
		this.watch = TIMER.schedule(this::check, limit.toNanos(), TimeUnit.NANOSECONDS);
	}

	private static ScheduledThreadPoolExecutor timer() {
		ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "pgext-read-deadline");
			thread.setDaemon(true);
			return thread;
		});
		timer.setRemoveOnCancelPolicy(true);
		return timer;
	}

	/**
	 * {@code in}, the body of {@code what} from the store, aborted once it has kept its
	 * reader waiting for {@code limit} in all.
	 */
	static InputStream of(InputStream in, String what, Duration limit) {
		return of(in, Server.STORE, what, limit);
	}

	/**
	 * {@code in}, the body of {@code what} from {@code server}, aborted once it has kept
	 * its reader waiting for {@code limit} in all.
	 */
	static InputStream of(InputStream in, Server server, String what, Duration limit) {
		return new ReadDeadline(in, server, what, limit);
	}

	/** The watches waiting to run, of every body not yet closed. */
	static int pendingWatches() {
		return TIMER.getQueue().size();
	}

	/**
	 * The watch: the reader's waiting so far, the read in progress included; past the
	 * limit the body is aborted, otherwise the watch comes back when the limit could be
	 * reached at the earliest.
	 */
	private void check() {
		long since = this.readSince;
		long waited = this.blockedNanos + ((since != 0) ? System.nanoTime() - since : 0);
		long left = this.limit.toNanos() - waited;
		if (left <= 0) {
			this.expired = true;
			abort();
		}
		else if (!this.closed) {
			this.watch = TIMER.schedule(this::check, left, TimeUnit.NANOSECONDS);
		}
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
		return new IOException(this.server.name + " kept the reader of " + this.what + " waiting more than "
				+ this.limit.toString().substring(2).toLowerCase(java.util.Locale.ROOT) + " in all ("
				+ this.server.setting + "): it stalled or trickled", cause);
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
		long started = System.nanoTime();
		this.readSince = started;
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
			this.blockedNanos += System.nanoTime() - started;
			this.readSince = 0;
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
		this.closed = true;
		this.watch.cancel(false);
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
