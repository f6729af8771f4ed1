package dev.pgext.cli.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Registries that misbehave after their headers: the client stops with a reason and an
 * exit code instead of waiting or reading for ever.
 */
class RegistryClientTests {

	private final CountDownLatch done = new CountDownLatch(1);

	private ServerSocket server;

	@AfterEach
	void stop() throws IOException {
		this.done.countDown();
		if (this.server != null) {
			this.server.close();
		}
	}

	@Test
	void aRegistryThatStopsSendingItsAnswerIsLeftWithAReason() throws IOException {
		String url = serve((out) -> {
			out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"hits\":")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
		});
		RegistryClient client = new RegistryClient(url, null, Duration.ofMillis(300));

		long start = System.nanoTime();
		assertThatExceptionOfType(CliException.class).isThrownBy(() -> client.get("/api/v1/search?q=x"))
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(ExitCode.NETWORK))
			.withMessageContaining("the registry stopped sending: no data for 300 ms");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
	}

	@Test
	void aDownloadThatStallsFailsItsRead() throws IOException {
		String url = serve((out) -> {
			out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
			out.flush();
		});
		RegistryClient client = new RegistryClient(url, null, Duration.ofMillis(200));

		try (InputStream in = client.download("/api/v1/files/x")) {
			assertThatExceptionOfType(IOException.class).isThrownBy(in::readAllBytes)
				.withMessage("the registry stopped sending: no data for 400 ms");
		}
	}

	@Test
	void anEndlessAnswerIsNotReadPastItsBound() throws IOException {
		String url = serve((out) -> {
			out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[".getBytes(StandardCharsets.US_ASCII));
			byte[] ones = "1,".repeat(32 * 1024).getBytes(StandardCharsets.US_ASCII);
			while (true) {
				out.write(ones);
			}
		});
		RegistryClient client = new RegistryClient(url, null, Duration.ofSeconds(10));

		assertThatExceptionOfType(CliException.class).isThrownBy(() -> client.get("/api/v1/search?q=x"))
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(ExitCode.REFUSED))
			.withMessageContaining("is larger than 16 MiB");
	}

	@Test
	void aTokenWithCharactersNoTokenHasIsAUsageError() {
		for (String token : new String[] { "a\nb", "tök€n", "pgx_a b" }) {
			assertThatExceptionOfType(CliException.class)
				.isThrownBy(() -> new RegistryClient("http://127.0.0.1:1", token))
				.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(ExitCode.LOCAL))
				.withMessageContaining("printable ASCII without spaces");
		}
	}

	@Test
	void aRegistryUrlWithAQueryAFragmentOrAnImpossiblePortIsRefused() {
		assertThatExceptionOfType(CliException.class)
			.isThrownBy(() -> RegistryOptions.normalize("http://127.0.0.1:8080?x=1"))
			.withMessageContaining("cannot have a query");
		assertThatExceptionOfType(CliException.class)
			.isThrownBy(() -> RegistryOptions.normalize("http://127.0.0.1:8080/#top"))
			.withMessageContaining("cannot have a query");
		assertThatExceptionOfType(CliException.class)
			.isThrownBy(() -> RegistryOptions.normalize("http://127.0.0.1:99999"))
			.withMessageContaining("port must be 1 to 65535");
		assertThat(RegistryOptions.normalize("http://127.0.0.1:8080/api/")).isEqualTo("http://127.0.0.1:8080/api");
	}

	@Test
	void aDownloadRedirectedToAnotherHostIsFetchedWithoutTheToken() throws IOException {
		List<String> elsewhereSaw = new CopyOnWriteArrayList<>();
		List<String> registrySaw = new CopyOnWriteArrayList<>();
		HttpServer elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
		elsewhere.createContext("/blob", (exchange) -> {
			elsewhereSaw.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
			respond(exchange, 200, "the content");
		});
		HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		registry.createContext("/", (exchange) -> {
			registrySaw
				.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
			String path = exchange.getRequestURI().getPath();
			if (path.equals("/api/v1/files/moved")) {
				// a presigned URL of the store, as the registry redirects public files
				exchange.getResponseHeaders()
					.add("Location",
							"http://127.0.0.2:" + elsewhere.getAddress().getPort() + "/blob?X-Amz-Signature=s");
				respond(exchange, 302, "");
			}
			else if (path.equals("/api/v1/files/here")) {
				exchange.getResponseHeaders().add("Location", "/api/v1/files/there");
				respond(exchange, 307, "");
			}
			else if (path.startsWith("/api/v1/files/loop")) {
				exchange.getResponseHeaders().add("Location", path + "x");
				respond(exchange, 302, "");
			}
			else {
				respond(exchange, 200, "the registry's own");
			}
		});
		elsewhere.start();
		registry.start();
		try {
			RegistryClient client = new RegistryClient("http://127.0.0.1:" + registry.getAddress().getPort(),
					"pgx_secret", Duration.ofSeconds(10));

			try (InputStream in = client.download("/api/v1/files/moved")) {
				assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("the content");
			}
			assertThat(elsewhereSaw).containsExactly("null");
			// a redirect within the registry keeps the token
			try (InputStream in = client.download("/api/v1/files/here")) {
				assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("the registry's own");
			}
			assertThat(registrySaw).contains("/api/v1/files/here Bearer pgx_secret",
					"/api/v1/files/there Bearer pgx_secret");
			assertThatExceptionOfType(CliException.class).isThrownBy(() -> client.download("/api/v1/files/loop"))
				.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(ExitCode.NETWORK))
				.withMessageContaining("was redirected more than 5 times");
		}
		finally {
			registry.stop(0);
			elsewhere.stop(0);
		}
	}

	private static void respond(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.sendResponseHeaders(status, (bytes.length == 0) ? -1 : bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	private String serve(Answer answer) throws IOException {
		this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
		Thread thread = new Thread(() -> {
			try (Socket socket = this.server.accept()) {
				drainHeaders(socket.getInputStream());
				try {
					answer.write(socket.getOutputStream());
				}
				catch (IOException ex) {
					// the client closed the connection
				}
				this.done.await(30, TimeUnit.SECONDS);
			}
			catch (IOException | InterruptedException ex) {
				// stopped
			}
		}, "fake-registry");
		thread.setDaemon(true);
		thread.start();
		return "http://127.0.0.1:" + this.server.getLocalPort();
	}

	private static void drainHeaders(InputStream in) throws IOException {
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				return;
			}
			matched = (b == end[matched]) ? matched + 1 : (b == '\r') ? 1 : 0;
		}
	}

	@FunctionalInterface
	private interface Answer {

		void write(OutputStream out) throws IOException;

	}

}
