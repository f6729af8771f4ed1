package dev.pgext.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A registry seen through a man in the middle: GET requests are passed on, but the
 * content of every file download ({@code /api/v1/files/...}) comes back with its last
 * byte changed.
 */
final class TamperingProxy implements AutoCloseable {

	private final HttpServer server;

	private final HttpClient client = HttpClient.newHttpClient();

	TamperingProxy(String registry) throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/", (exchange) -> forward(registry, exchange));
		this.server.start();
	}

	String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	private void forward(String registry, HttpExchange exchange) throws IOException {
		try (exchange) {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry + exchange.getRequestURI()));
			String authorization = exchange.getRequestHeaders().getFirst("Authorization");
			if (authorization != null) {
				request.header("Authorization", authorization);
			}
			HttpResponse<byte[]> response = this.client.send(request.GET().build(),
					HttpResponse.BodyHandlers.ofByteArray());
			byte[] body = response.body();
			if (exchange.getRequestURI().getPath().startsWith("/api/v1/files/") && body.length > 0) {
				body[body.length - 1] ^= 0x01;
			}
			response.headers()
				.firstValue("Content-Type")
				.ifPresent((type) -> exchange.getResponseHeaders().add("Content-Type", type));
			exchange.sendResponseHeaders(response.statusCode(), (body.length == 0) ? -1 : body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while forwarding", ex);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
