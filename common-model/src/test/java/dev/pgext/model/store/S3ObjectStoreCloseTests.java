package dev.pgext.model.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store closes what its client holds: once {@link S3ObjectStore#close()} returns, none
 * of the threads its calls started is alive (a service's context closing, a local stack
 * stopping one of several services in one JVM).
 */
class S3ObjectStoreCloseTests {

	@Test
	void noThreadOfAClosedStoreOutlivesIt() throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			exchange.sendResponseHeaders(404, -1);
			exchange.close();
		});
		server.start();
		try {
			// named apart from the stores other test classes make in this JVM meanwhile
			String prefix = "close-test-timer-" + UUID.randomUUID() + "-";
			AtomicInteger numbers = new AtomicInteger();
			S3ObjectStore store = S3ObjectStore.create(
					new ObjectStoreSettings(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), null,
							"bucket", "key", "secret", true, 1, Duration.ofMillis(5), Duration.ofSeconds(5)),
					(task) -> new Thread(task, prefix + numbers.incrementAndGet()));
			// a call with a timeout starts the client's timer threads
			assertThat(store.getBytes("missing-key")).isEmpty();
			Set<Thread> started = threadsNamed(prefix);
			assertThat(started).as("the store's timer threads").isNotEmpty();

			store.close();

			assertThat(started).noneMatch(Thread::isAlive);
		}
		finally {
			server.stop(0);
		}
	}

	private static Set<Thread> threadsNamed(String prefix) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith(prefix))
			.collect(Collectors.toSet());
	}

}
