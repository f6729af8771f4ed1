package dev.pgext.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 proxy in front of a real S3 endpoint that fails a share of the requests the
 * way a bad network or a loaded store does. It forwards bytes unchanged apart from a
 * {@code Connection: close} header (not signed by SigV4), so every request gets a
 * connection of its own and the endpoint still authenticates every request. Each request,
 * drawn from a seeded random sequence, is either forwarded, answered with
 * {@code 503 Slow Down} or {@code 500 Internal Error}, reset without an answer, or
 * forwarded with its response body cut off halfway (the client sees a premature end of a
 * Content-Length delimited body).
 */
public final class FaultInjectingProxy extends LoopbackProxy {

	private static final int BUFFER = 64 * 1024;

	private final URI target;

	private final double failRate;

	private final double cutRate;

	private final SplittableRandom random;

	private final AtomicInteger requests = new AtomicInteger();

	private final AtomicInteger failed = new AtomicInteger();

	private final AtomicInteger cut = new AtomicInteger();

	private volatile boolean faulty = true;

	/**
	 * @param target the real endpoint
	 * @param failRate share of requests answered with a 5xx or reset
	 * @param cutRate share of requests whose response body is cut off
	 * @param seed seed of the sequence of faults
	 */
	public FaultInjectingProxy(URI target, double failRate, double cutRate, long seed) {
		super("fault-proxy", 200);
		this.target = target;
		this.failRate = failRate;
		this.cutRate = cutRate;
		this.random = new SplittableRandom(seed);
		listen();
	}

	/** Turns the faults on or off; off, every request is forwarded. */
	public void faulty(boolean on) {
		this.faulty = on;
	}

	/** Requests seen, faults included. */
	public int requests() {
		return this.requests.get();
	}

	/** Requests answered with a 5xx or reset. */
	public int failed() {
		return this.failed.get();
	}

	/** Responses cut off. */
	public int cut() {
		return this.cut.get();
	}

	private enum Fault {

		NONE, SLOW_DOWN, INTERNAL_ERROR, RESET, CUT

	}

	private synchronized Fault next() {
		double r = this.random.nextDouble();
		if (!this.faulty) {
			return Fault.NONE;
		}
		if (r < this.failRate) {
			return switch (this.random.nextInt(3)) {
				case 0 -> Fault.SLOW_DOWN;
				case 1 -> Fault.INTERNAL_ERROR;
				default -> Fault.RESET;
			};
		}
		return (r < this.failRate + this.cutRate) ? Fault.CUT : Fault.NONE;
	}

	@Override
	protected void connected(Socket client) {
		startDaemon(() -> handle(client), "connection");
	}

	private void handle(Socket client) {
		try (client) {
			// buffered: the head is parsed a byte at a time, which unbuffered is a system
			// call per byte
			InputStream in = new BufferedInputStream(client.getInputStream(), BUFFER);
			byte[] head = readHead(in);
			if (head == null) {
				return;
			}
			this.requests.incrementAndGet();
			Fault fault = next();
			switch (fault) {
				case SLOW_DOWN -> answer(client, "503 Slow Down", "SlowDown");
				case INTERNAL_ERROR -> answer(client, "500 Internal Server Error", "InternalError");
				case RESET -> {
					this.failed.incrementAndGet();
					client.setSoLinger(true, 0);
				}
				default -> forward(client, in, head, fault == Fault.CUT);
			}
		}
		catch (IOException ex) {
			// a connection the client or the endpoint closed
		}
	}

	private void answer(Socket client, String status, String code) throws IOException {
		this.failed.incrementAndGet();
		String body = "<Error><Code>" + code + "</Code><Message>injected</Message></Error>";
		String response = "HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " + body.length()
				+ "\r\nConnection: close\r\n\r\n" + body;
		client.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
		client.getOutputStream().flush();
	}

	private void forward(Socket client, InputStream in, byte[] head, boolean cutOff) throws IOException {
		try (Socket upstream = new Socket(this.target.getHost(), this.target.getPort())) {
			upstream.getOutputStream().write(withConnectionClose(head));
			upstream.getOutputStream().flush();
			startDaemon(() -> pump(in, upstream), "request-body");
			InputStream response = new BufferedInputStream(upstream.getInputStream(), BUFFER);
			OutputStream out = client.getOutputStream();
			byte[] responseHead = readHead(response);
			if (responseHead == null) {
				return;
			}
			long length = contentLength(responseHead);
			out.write(responseHead);
			long limit = Long.MAX_VALUE;
			if (cutOff && length >= 2) {
				limit = length / 2;
				this.cut.incrementAndGet();
			}
			byte[] buffer = new byte[64 * 1024];
			long total = 0;
			int n;
			while (total < limit && (n = response.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) > 0) {
				out.write(buffer, 0, n);
				total += n;
			}
			out.flush();
		}
	}

	private static void pump(InputStream in, Socket upstream) {
		try {
			OutputStream out = upstream.getOutputStream();
			byte[] buffer = new byte[64 * 1024];
			int n;
			while ((n = in.read(buffer)) > 0) {
				out.write(buffer, 0, n);
				out.flush();
			}
		}
		catch (IOException ex) {
			// closed
		}
	}

	/**
	 * The bytes up to and including the blank line after the headers, or null at the end
	 * of the stream.
	 */
	private static byte[] readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
		int matched = 0;
		int b;
		while ((b = in.read()) >= 0) {
			head.write(b);
			matched = switch (matched) {
				case 0, 2 -> (b == '\r') ? matched + 1 : 0;
				case 1, 3 -> (b == '\n') ? matched + 1 : ((b == '\r') ? 1 : 0);
				default -> 0;
			};
			if (matched == 4) {
				return head.toByteArray();
			}
			if (head.size() > 64 * 1024) {
				throw new IOException("header too large");
			}
		}
		return null;
	}

	private static byte[] withConnectionClose(byte[] head) {
		String text = new String(head, StandardCharsets.ISO_8859_1);
		StringBuilder out = new StringBuilder();
		for (String line : text.split("\r\n")) {
			if (!line.toLowerCase(Locale.ROOT).startsWith("connection:") && !line.isEmpty()) {
				out.append(line).append("\r\n");
			}
		}
		out.append("Connection: close\r\n\r\n");
		return out.toString().getBytes(StandardCharsets.ISO_8859_1);
	}

	private static long contentLength(byte[] head) {
		for (String line : new String(head, StandardCharsets.ISO_8859_1).split("\r\n")) {
			if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
				try {
					return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
				}
				catch (NumberFormatException ex) {
					return -1;
				}
			}
		}
		return -1;
	}

}
