package dev.pgext.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * "Up" means every part answers; otherwise the stack names the part that does not and
 * why. The parts here are small HTTP servers answering as the services would.
 */
class StackCheckTests {

	private HttpServer server;

	private String url;

	@BeforeEach
	void startServer() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.start();
		this.url = "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	@AfterEach
	void stopServer() {
		this.server.stop(0);
	}

	@Test
	void aComputeTheLoaderGaveUpOnFailsAtOnceWithTheLoadersReason() {
		answer("/status", 200, """
				{"phase":"FAILED","problem":"start-up failed: postgres exited with 1 during start: \
				could not bind IPv4 address \\"127.0.0.1\\": Address already in use","postgres":"FAILED"}""");
		StackCheck check = new StackCheck();
		long started = System.nanoTime();
		assertThatExceptionOfType(StackStartException.class)
			.isThrownBy(() -> check.awaitAll(
					List.of(new StackCheck.Part("compute", this.url + "/status", check.loader(this.url))),
					Duration.ofMinutes(5)))
			.satisfies((ex) -> org.assertj.core.api.Assertions.assertThat(ex.part()).isEqualTo("compute"))
			.withMessageContaining("the compute is FAILED")
			.withMessageContaining("Address already in use");
		org.assertj.core.api.Assertions.assertThat(Duration.ofNanos(System.nanoTime() - started))
			.as("no waiting for a part that failed for good")
			.isLessThan(Duration.ofMinutes(1));
	}

	@Test
	void aServiceWhoseHealthIsDownIsNamedWithItsAnswerWhenTheTimeIsUp() {
		answer("/actuator/health", 503, "{\"status\":\"DOWN\",\"components\":{\"s3\":{\"status\":\"DOWN\"}}}");
		StackCheck check = new StackCheck();
		assertThatExceptionOfType(StackStartException.class)
			.isThrownBy(() -> check.awaitAll(List.of(new StackCheck.Part("importer", this.url, check.health(this.url))),
					Duration.ofMillis(600)))
			.withMessageStartingWith("importer: does not answer at " + this.url)
			.withMessageContaining("503")
			.withMessageContaining("\"s3\":{\"status\":\"DOWN\"}");
	}

	@Test
	void partsThatAnswerPassInOrder() {
		answer("/actuator/health", 200, "{\"status\":\"UP\"}");
		answer("/status", 200, "{\"phase\":\"RUNNING\",\"postgres\":\"RUNNING\"}");
		StackCheck check = new StackCheck();
		assertThatNoException()
			.isThrownBy(() -> check.awaitAll(List.of(new StackCheck.Part("registry", this.url, check.health(this.url)),
					new StackCheck.Part("loader", this.url, check.loader(this.url)),
					new StackCheck.Part("S3", this.url, Optional::empty)), Duration.ofSeconds(30)));
	}

	@Test
	void aComputeNobodyListensForIsNamedWithItsPort() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		int closed = port;
		assertThatExceptionOfType(StackStartException.class)
			.isThrownBy(() -> new StackCheck().awaitAll(List
				.of(new StackCheck.Part("compute", "PostgreSQL on 127.0.0.1:" + closed, StackCheck.postgres(closed))),
					Duration.ofMillis(500)))
			.withMessageStartingWith("compute: does not answer at PostgreSQL on 127.0.0.1:" + closed);
	}

	@Test
	void aPortAnotherProgramListensOnIsRefusedBeforeAnythingStarts() throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			int port = taken.getLocalPort();
			assertThatExceptionOfType(StackStartException.class)
				.isThrownBy(() -> StackCheck.requireFreePorts("127.0.0.1",
						List.of(new StackCheck.PortUse("compute", port, "pgext.local.compute-port", true))))
				.withMessageStartingWith("compute: port " + port + " on 127.0.0.1 is already in use")
				.withMessageEndingWith("choose another with -Dpgext.local.compute-port=<port>");
		}
	}

	private void answer(String path, int status, String body) {
		this.server.createContext(path, (exchange) -> {
			byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(status, bytes.length);
			exchange.getResponseBody().write(bytes);
			exchange.close();
		});
	}

}
