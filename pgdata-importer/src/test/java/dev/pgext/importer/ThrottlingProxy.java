package dev.pgext.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.pgext.testsupport.LoopbackProxy;

/**
 * A TCP proxy in front of an endpoint that limits the bandwidth of the link it stands
 * for: one token bucket per direction, shared by every connection, the way a compute's
 * network interface is shared by all its connections to S3. Bytes are forwarded unchanged
 * (signatures stay valid, connections are kept alive as the client asks), in chunks of at
 * most {@value #CHUNK} bytes, each released once the link would have carried it. Full
 * duplex: what goes up (requests, uploads) does not slow what comes down.
 * <p>
 * The rate can be changed between measurements ({@link #rate}); 0 forwards without a
 * limit, which measures what the proxy itself costs.
 */
final class ThrottlingProxy extends LoopbackProxy {

	private static final int CHUNK = 256 * 1024;

	private final URI target;

	private final Direction up = new Direction();

	private final Direction down = new Direction();

	private final AtomicLong cpuNanos = new AtomicLong();

	/**
	 * @param target the endpoint
	 * @param megabitsPerSecond the link's rate in each direction, 0 for no limit
	 */
	ThrottlingProxy(URI target, long megabitsPerSecond) {
		super("throttling-proxy", 200);
		this.target = target;
		rate(megabitsPerSecond);
		listen();
	}

	/** Sets the rate of both directions in Mbit/s (10^6 bits), 0 for no limit. */
	void rate(long megabitsPerSecond) {
		long bytesPerSecond = megabitsPerSecond * 1_000_000 / 8;
		this.up.rate(bytesPerSecond);
		this.down.rate(bytesPerSecond);
	}

	/** Bytes carried from the client to the endpoint so far. */
	long bytesUp() {
		return this.up.bytes.get();
	}

	/** Bytes carried from the endpoint to the client so far. */
	long bytesDown() {
		return this.down.bytes.get();
	}

	/**
	 * CPU time the proxy's forwarding threads have used so far, those that ended
	 * included.
	 */
	long cpuNanos() {
		return this.cpuNanos.get();
	}

	@Override
	protected void connected(Socket client) throws IOException {
		Socket upstream = new Socket(this.target.getHost(), this.target.getPort());
		client.setTcpNoDelay(true);
		upstream.setTcpNoDelay(true);
		startDaemon(() -> pump(client, upstream, this.up, this.cpuNanos), "up");
		startDaemon(() -> pump(upstream, client, this.down, this.cpuNanos), "down");
	}

	/**
	 * Copies {@code from} to {@code to} through the direction's bucket; at the end of the
	 * stream (or an error) it closes the writing side, and both sockets once the other
	 * direction has ended too.
	 */
	private static void pump(Socket from, Socket to, Direction direction, AtomicLong cpuNanos) {
		byte[] buffer = new byte[CHUNK];
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		long cpu = threads.getCurrentThreadCpuTime();
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			int n;
			while ((n = in.read(buffer)) > 0) {
				direction.pass(n);
				out.write(buffer, 0, n);
				long now = threads.getCurrentThreadCpuTime();
				cpuNanos.addAndGet(now - cpu);
				cpu = now;
			}
			to.shutdownOutput();
		}
		catch (IOException ex) {
			closeQuietly(from);
			closeQuietly(to);
		}
		finally {
			if (from.isOutputShutdown() || from.isClosed()) {
				closeQuietly(from);
				closeQuietly(to);
			}
		}
	}

	/**
	 * One direction of the link: a virtual clock of when the link is free again. A chunk
	 * is sent once the link has carried every byte booked before it and itself; a link
	 * idle for a while may send a burst of at most {@code BURST} worth of time at once.
	 */
	private static final class Direction {

		private static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

		private final AtomicLong bytes = new AtomicLong();

		private long bytesPerSecond;

		private long freeAt = System.nanoTime();

		synchronized void rate(long bytesPerSecond) {
			this.bytesPerSecond = bytesPerSecond;
			this.freeAt = System.nanoTime();
		}

		void pass(int n) {
			this.bytes.addAndGet(n);
			long until;
			synchronized (this) {
				if (this.bytesPerSecond <= 0) {
					return;
				}
				long now = System.nanoTime();
				this.freeAt = Math.max(this.freeAt, now - BURST_NANOS)
						+ (long) (n * 1_000_000_000.0 / this.bytesPerSecond);
				until = this.freeAt;
			}
			long wait;
			while ((wait = until - System.nanoTime()) > 0) {
				LockSupport.parkNanos(wait);
			}
		}

	}

}
