package dev.pgext.model.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A store that sends the head of its answer a byte every 100 ms never stalls long enough
 * for the client's socket timeout: a {@code get} gives it up once the call's attempt
 * timeout has passed, and its body, once the head is in, is not bound by that timeout.
 */
class S3ObjectStoreStalledHeadTests {

	private static final String HEAD = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Padding: " + "a".repeat(200)
			+ "\r\n\r\n";

	private ServerSocket server;

	private volatile boolean trickleHead;

	private S3ObjectStore store;

	@BeforeEach
	void start() throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "trickling-store");
		acceptor.setDaemon(true);
		acceptor.start();
		this.store = S3ObjectStore
			.create(new ObjectStoreSettings(URI.create("http://127.0.0.1:" + this.server.getLocalPort()), null,
					"bucket", "key", "secret", true, 2, Duration.ofMillis(5), Duration.ofMillis(400)));
	}

	@AfterEach
	void stop() throws IOException {
		this.store.close();
		this.server.close();
	}

	@Test
	void aGetWhoseHeadTricklesFailsAtTheAttemptTimeout() {
		this.trickleHead = true;
		// without a bound the head alone would take about 25 s, every attempt
		assertTimeoutPreemptively(Duration.ofSeconds(20),
				() -> assertThatExceptionOfType(ObjectStoreException.class).isThrownBy(() -> this.store.get("x"))
					.withMessageContaining("timeout"));
	}

	@Test
	void aBodyThatTakesLongerThanTheAttemptTimeoutIsStillRead() throws IOException {
		this.trickleHead = false;
		try (InputStream body = this.store.get("x").orElseThrow()) {
			assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
		}
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				Thread connection = new Thread(() -> answer(socket), "trickling-store-connection");
				connection.setDaemon(true);
				connection.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void answer(Socket socket) {
		try (socket) {
			socket.getInputStream().read(new byte[8192]);
			OutputStream out = socket.getOutputStream();
			if (this.trickleHead) {
				for (byte b : HEAD.getBytes(StandardCharsets.US_ASCII)) {
					out.write(b);
					out.flush();
					Thread.sleep(100);
				}
				out.write("hello".getBytes(StandardCharsets.US_ASCII));
			}
			else {
				// the head at once, then the body over more than the attempt timeout
				out.write(HEAD.getBytes(StandardCharsets.US_ASCII));
				out.flush();
				for (byte b : "hello".getBytes(StandardCharsets.US_ASCII)) {
					Thread.sleep(150);
					out.write(b);
					out.flush();
				}
			}
			out.flush();
		}
		catch (IOException ex) {
			// the client hung up
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
