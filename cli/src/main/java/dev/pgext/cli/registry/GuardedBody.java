package dev.pgext.cli.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An answer's body with limits the JDK's client does not give (its request timeout ends
 * with the headers): a registry that stops sending for {@code idle}, or that has not
 * finished by {@code deadline} where there is one, has the body closed under the reader,
 * whose next read fails with an {@link IOException} that says which limit was reached.
 */
final class GuardedBody extends FilterInputStream {

	private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "pgext-http-watchdog");
		thread.setDaemon(true);
		return thread;
	});

	private final Duration idle;

	private final boolean hasDeadline;

	private final long deadlineNanos;

	private final ScheduledFuture<?> check;

	private volatile long lastProgressNanos = System.nanoTime();

	private volatile String expired;

	/**
	 * @param deadline the whole body's time, or {@code null} for none (a download's
	 * length is the file's)
	 */
	GuardedBody(InputStream in, Duration idle, Duration deadline) {
		super(in);
		this.idle = idle;
		this.hasDeadline = deadline != null;
		this.deadlineNanos = (deadline != null) ? System.nanoTime() + deadline.toNanos() : 0;
		long period = Math.max(10, Math.min(1000, idle.toMillis() / 4));
		this.check = WATCHDOG.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
	}

	private void check() {
		long now = System.nanoTime();
		if (this.hasDeadline && now - this.deadlineNanos >= 0) {
			expire("the answer did not finish within its time");
		}
		else if (now - this.lastProgressNanos >= this.idle.toNanos()) {
			expire("no data for " + ((this.idle.toMillis() % 1000 == 0) ? this.idle.toSeconds() + " s"
					: this.idle.toMillis() + " ms"));
		}
	}

	private void expire(String why) {
		this.expired = why;
		this.check.cancel(false);
		try {
			super.close();
		}
		catch (IOException ex) {
			// the reader learns why from expired
		}
	}

	private int progress(int read) throws IOException {
		String why = this.expired;
		if (why != null) {
			throw new StoppedSending(why, null);
		}
		this.lastProgressNanos = System.nanoTime();
		return read;
	}

	@Override
	public int read() throws IOException {
		try {
			return progress(super.read());
		}
		catch (IOException ex) {
			throw expiredOr(ex);
		}
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		try {
			return progress(super.read(buffer, offset, length));
		}
		catch (IOException ex) {
			throw expiredOr(ex);
		}
	}

	private IOException expiredOr(IOException ex) {
		String why = this.expired;
		return (why != null && !(ex instanceof StoppedSending)) ? new StoppedSending(why, ex) : ex;
	}

	@Override
	public void close() throws IOException {
		this.check.cancel(false);
		super.close();
	}

	/** The body was closed by one of its limits. */
	static final class StoppedSending extends IOException {

		private static final long serialVersionUID = 1L;

		StoppedSending(String why, Throwable cause) {
			super("the registry stopped sending: " + why, cause);
		}

	}

}
