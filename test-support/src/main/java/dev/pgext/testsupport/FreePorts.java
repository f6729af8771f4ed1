package dev.pgext.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Loopback ports nobody listens on, for servers a test starts itself (a Postgres cluster,
 * a child service, a stub receiver). Modules' suites run side by side, so a test never
 * picks a fixed port.
 */
public final class FreePorts {

	private FreePorts() {
	}

	/** A port on 127.0.0.1 that was free a moment ago, chosen by the kernel. */
	public static int any() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("no free loopback port: " + ex.getMessage(), ex);
		}
	}

}
