package dev.pgext.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The link-limiting proxy of {@link PgdataImportBenchmark} forwards every byte unchanged
 * in both directions and counts them per direction, limited or not.
 */
class ThrottlingProxyTests {

	@Test
	void forwardsBytesUnchangedAndCountsThemPerDirection() throws Exception {
		assertEchoedThrough(0);
	}

	@Test
	void aLimitedLinkStillForwardsEveryByte() throws Exception {
		assertEchoedThrough(1000);
	}

	private static void assertEchoedThrough(long megabitsPerSecond) throws Exception {
		byte[] sent = new byte[3 * 256 * 1024 + 17];
		new SplittableRandom(7).nextBytes(sent);
		try (ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Thread server = new Thread(() -> echoOnce(echo), "echo");
			server.start();
			try (ThrottlingProxy proxy = new ThrottlingProxy(URI.create("http://127.0.0.1:" + echo.getLocalPort()),
					megabitsPerSecond);
					Socket client = new Socket(proxy.endpoint().getHost(), proxy.endpoint().getPort())) {
				Thread writer = new Thread(() -> {
					try {
						client.getOutputStream().write(sent);
						client.shutdownOutput();
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				});
				writer.start();
				byte[] received = client.getInputStream().readAllBytes();
				writer.join();
				server.join();
				assertThat(received).isEqualTo(sent);
				assertThat(proxy.bytesUp()).isEqualTo(sent.length);
				assertThat(proxy.bytesDown()).isEqualTo(sent.length);
			}
		}
	}

	private static void echoOnce(ServerSocket echo) {
		try (Socket socket = echo.accept()) {
			InputStream in = socket.getInputStream();
			OutputStream out = socket.getOutputStream();
			in.transferTo(out);
			socket.shutdownOutput();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
