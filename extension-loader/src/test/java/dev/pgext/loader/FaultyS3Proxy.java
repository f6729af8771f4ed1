package dev.pgext.loader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import dev.pgext.loader.fetch.BandwidthLimiter;
import dev.pgext.testsupport.LoopbackProxy;

/**
 * A TCP proxy in front of a real S3 endpoint that counts requests and can break
 * connections. It forwards bytes unchanged (the Host header included, which SigV4 signs),
 * so the endpoint still authenticates every request. Each new connection gets a
 * {@link Fault}: none, an immediate {@code 503 Slow Down}, or a response cut off after a
 * few kilobytes.
 */
public final class FaultyS3Proxy extends LoopbackProxy {

	enum Fault {

		NONE, SLOW_DOWN, CUT_OFF

	}

	private static final int CUT_AFTER = 4096;

	private final URI target;

	private final IntFunction<Fault> faults;

	private final AtomicInteger connections = new AtomicInteger();

	private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

	private final AtomicInteger injected = new AtomicInteger();

	private volatile BandwidthLimiter bandwidth;

	/** Paths whose response bodies trickle, or null. */
	private volatile java.util.function.Predicate<String> trickled;

	/** The pause between two bytes of a trickled body, in milliseconds. */
	private volatile long trickleMillis;

	/** A proxy that only counts. */
	public static FaultyS3Proxy counting(URI target) {
		return new FaultyS3Proxy(target, (n) -> Fault.NONE);
	}

	/** A proxy that breaks every second and third connection of each three. */
	public static FaultyS3Proxy flaky(URI target) {
		return new FaultyS3Proxy(target, (n) -> switch (n % 3) {
			case 1 -> Fault.SLOW_DOWN;
			case 2 -> Fault.CUT_OFF;
			default -> Fault.NONE;
		});
	}

	/**
	 * A proxy whose responses share {@code bytesPerSecond} of bandwidth, like one network
	 * interface in front of a distant store.
	 */
	public static FaultyS3Proxy throttled(URI target, long bytesPerSecond) {
		FaultyS3Proxy proxy = counting(target);
		proxy.bandwidth = BandwidthLimiter.of(bytesPerSecond);
		return proxy;
	}

	/**
	 * A proxy that answers requests for a path {@code paths} accepts with the endpoint's
	 * headers at once and then its body one byte every {@code pause}: a store that never
	 * stalls long enough for a socket timeout and never finishes either.
	 */
	public static FaultyS3Proxy trickling(URI target, java.util.function.Predicate<String> paths,
			java.time.Duration pause) {
		FaultyS3Proxy proxy = counting(target);
		proxy.trickleMillis = pause.toMillis();
		proxy.trickled = paths;
		return proxy;
	}

	FaultyS3Proxy(URI target, IntFunction<Fault> faults) {
		super("faulty-s3-proxy", 100);
		this.target = target;
		this.faults = faults;
		listen();
	}

	/**
	 * How many requests {@code method path} (path without query) went through, faults
	 * included.
	 */
	public int count(String method, String path) {
		AtomicInteger count = this.requests.get(method + " " + path);
		return (count != null) ? count.get() : 0;
	}

	/** How many requests for any key under {@code pathPrefix} went through. */
	public int countUnder(String method, String pathPrefix) {
		return this.requests.entrySet()
			.stream()
			.filter((e) -> e.getKey().startsWith(method + " " + pathPrefix))
			.mapToInt((e) -> e.getValue().get())
			.sum();
	}

	/** How many connections were broken on purpose. */
	public int injectedFaults() {
		return this.injected.get();
	}

	@Override
	protected void connected(Socket client) {
		Fault fault = this.faults.apply(this.connections.incrementAndGet());
		startDaemon(() -> handle(client, fault), "connection");
	}

	private void handle(Socket client, Fault fault) {
		try (client) {
			if (fault == Fault.SLOW_DOWN) {
				InputStream in = client.getInputStream();
				RequestCounter counter = new RequestCounter();
				while (!counter.sawHead) {
					int b = in.read();
					if (b < 0) {
						return;
					}
					counter.accept(b);
				}
				this.injected.incrementAndGet();
				String body = "<Error><Code>SlowDown</Code><Message>injected</Message></Error>";
				String response = "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
						+ body.length() + "\r\nConnection: close\r\n\r\n" + body;
				client.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
				return;
			}
			try (Socket upstream = new Socket(this.target.getHost(), this.target.getPort())) {
				RequestCounter counter = new RequestCounter();
				startDaemon(() -> pump(client, upstream, counter), "up");
				if (this.trickled != null) {
					trickle(upstream.getInputStream(), client.getOutputStream(), counter);
					return;
				}
				long limit = (fault == Fault.CUT_OFF) ? CUT_AFTER : Long.MAX_VALUE;
				copy(upstream.getInputStream(), client.getOutputStream(), limit, this.bandwidth);
				if (fault == Fault.CUT_OFF) {
					this.injected.incrementAndGet();
				}
			}
		}
		catch (IOException ex) {
			// a connection the client or the endpoint closed
		}
	}

	private void pump(Socket client, Socket upstream, RequestCounter counter) {
		try {
			InputStream in = client.getInputStream();
			OutputStream out = upstream.getOutputStream();
			byte[] buffer = new byte[8192];
			int n;
			while ((n = in.read(buffer)) > 0) {
				for (int i = 0; i < n; i++) {
					counter.accept(buffer[i]);
				}
				out.write(buffer, 0, n);
				out.flush();
			}
		}
		catch (IOException ex) {
			// closed
		}
		finally {
			try {
				upstream.shutdownOutput();
			}
			catch (IOException ex) {
				// already closed
			}
		}
	}

	/**
	 * Copies responses, passing each head at once and, when the request it answers is for
	 * a trickled path, its body one byte per pause.
	 */
	private void trickle(InputStream in, OutputStream out, RequestCounter counter) throws IOException {
		int matched = 0;
		boolean inBody = false;
		int b;
		while ((b = in.read()) >= 0) {
			if (inBody && this.trickled.test(counter.lastPath)) {
				try {
					Thread.sleep(this.trickleMillis);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
			out.write(b);
			if (!inBody) {
				matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r') ? 1 : 0;
				if (matched == 4) {
					out.flush();
					inBody = true;
				}
			}
			else {
				out.flush();
			}
		}
	}

	private static void copy(InputStream in, OutputStream out, long limit, BandwidthLimiter bandwidth)
			throws IOException {
		byte[] buffer = new byte[8192];
		long total = 0;
		int n;
		while (total < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) > 0) {
			if (bandwidth != null) {
				bandwidth.acquire(n);
			}
			out.write(buffer, 0, n);
			out.flush();
			total += n;
		}
	}

	/**
	 * Finds request lines in a client's byte stream; the loader only sends requests
	 * without a body.
	 */
	private final class RequestCounter {

		private final ByteArrayOutputStream line = new ByteArrayOutputStream();

		private boolean atRequestStart = true;

		boolean sawHead;

		/** The path of the last request seen, without its query. */
		volatile String lastPath = "";

		void accept(int b) {
			if (b != '\n') {
				if (b != '\r') {
					this.line.write(b);
				}
				return;
			}
			String text = this.line.toString(StandardCharsets.US_ASCII);
			this.line.reset();
			if (text.isEmpty()) {
				this.atRequestStart = true;
				this.sawHead = true;
				return;
			}
			if (this.atRequestStart) {
				this.atRequestStart = false;
				this.sawHead = false;
				String[] parts = text.split(" ");
				if (parts.length >= 2) {
					String path = parts[1];
					int query = path.indexOf('?');
					path = (query >= 0) ? path.substring(0, query) : path;
					this.lastPath = path;
					FaultyS3Proxy.this.requests.computeIfAbsent(parts[0] + " " + path, (k) -> new AtomicInteger())
						.incrementAndGet();
				}
			}
		}

	}

}
