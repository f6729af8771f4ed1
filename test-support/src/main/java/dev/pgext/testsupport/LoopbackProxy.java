package dev.pgext.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;

/**
 * A TCP proxy on a free loopback port, for tests that put a bad or slow network in front
 * of an endpoint: the listening socket, the thread accepting connections and the stop;
 * what happens to a connection is the subclass's ({@link #connected}). A subclass calls
 * {@link #listen()} at the end of its constructor, once its own fields are set.
 */
public abstract class LoopbackProxy implements AutoCloseable {

	private final ServerSocket server;

	private final String name;

	private volatile boolean closed;

	/**
	 * @param name the accepting thread's name, and the prefix of the threads
	 * {@link #startDaemon} starts
	 * @param backlog connections the operating system queues before they are accepted
	 */
	protected LoopbackProxy(String name, int backlog) {
		this.name = name;
		try {
			this.server = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Starts accepting connections. */
	protected final void listen() {
		startDaemon(this::accept, this.name);
	}

	public URI endpoint() {
		return URI.create("http://127.0.0.1:" + this.server.getLocalPort());
	}

	/**
	 * A connection was accepted; called on the accepting thread, in the order they came.
	 * A failure closes the client's socket; the proxy goes on accepting.
	 */
	protected abstract void connected(Socket client) throws IOException;

	/** Runs {@code task} on a daemon thread named {@code suffix} after the proxy. */
	protected final void startDaemon(Runnable task, String suffix) {
		Thread thread = new Thread(task, suffix.equals(this.name) ? suffix : this.name + "-" + suffix);
		thread.setDaemon(true);
		thread.start();
	}

	private void accept() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				// closed, or the socket broke: either way nothing more is accepted
				return;
			}
			try {
				connected(client);
			}
			catch (IOException ex) {
				closeQuietly(client);
			}
		}
	}

	protected static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	@Override
	public void close() {
		this.closed = true;
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

}
