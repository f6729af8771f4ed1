package dev.pgext.importer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API reads at most {@code max-request-body} of a request body (1 MiB by default): a
 * creation whose body is larger is answered with a 413 problem before the body is read
 * whole, whether its length is declared or it comes chunked, on the importer's route and
 * on Neon's; a body of the limit's size is read. The requests go over a socket, so that a
 * body can stop short of what it announces while the answer is read.
 */
class RequestBodyLimitIntegrationTests extends ImporterIntegrationTestSupport {

	private static final String OWN = "/v1/tenants/" + TENANT + "/shards/0/timelines";

	private static final String NEON = "/v1/tenant/" + TENANT + "/timeline";

	@Autowired
	private ImporterProperties properties;

	@Test
	void aBodyDeclaredLargerThanTheLimitIsRefusedWithoutWaitingForIt() throws Exception {
		for (String path : List.of(OWN, NEON)) {
			try (Socket socket = open()) {
				// 208 MiB announced, the first bytes sent, and no more: the answer comes
				// without the rest
				send(socket, "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
						+ "Content-Length: " + (208L << 20) + "\r\n\r\n{\"timeline_id\": " + " ".repeat(8192));
				assertTooLarge(path, Answer.read(socket.getInputStream()));
			}
		}
	}

	@Test
	void aChunkedBodyIsRefusedOnceItPassesTheLimitWithoutWaitingForItsEnd() throws Exception {
		long limit = this.properties.maxRequestBody().toBytes();
		String chunk = " ".repeat(8192);
		for (String path : List.of(OWN, NEON)) {
			try (Socket socket = open()) {
				send(socket, "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
						+ "Transfer-Encoding: chunked\r\n\r\n");
				// one chunk more than the limit, and never the last chunk
				for (long sent = 0; sent <= limit; sent += chunk.length()) {
					send(socket, Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
				}
				assertTooLarge(path, Answer.read(socket.getInputStream()));
			}
		}
	}

	@Test
	void aBodyOfTheLimitsSizeIsReadWhetherItsLengthIsDeclaredOrItIsChunked() throws Exception {
		int limit = (int) this.properties.maxRequestBody().toBytes();
		String json = createBody("not-hex", "k", this.storage.bucket(), "dumps/limit");
		String body = " ".repeat(limit - json.length()) + json;
		assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(limit);

		HttpResponse<String> declared = postJson(OWN, body);
		assertThat(declared.statusCode()).as(declared.body()).isEqualTo(400);
		assertThat(JSON.readTree(declared.body()).path("detail").asString())
			.isEqualTo("timeline_id must be 32 lower-case hex digits");

		try (Socket socket = open()) {
			send(socket, "POST " + OWN + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
					+ "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
			for (int start = 0; start < limit; start += 8192) {
				String chunk = body.substring(start, Math.min(limit, start + 8192));
				send(socket, Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
			}
			send(socket, "0\r\n\r\n");
			Answer chunked = Answer.read(socket.getInputStream());
			assertThat(chunked.status()).as(chunked.body()).isEqualTo(400);
			assertThat(JSON.readTree(chunked.body()).path("detail").asString())
				.isEqualTo("timeline_id must be 32 lower-case hex digits");
		}
	}

	private void assertTooLarge(String path, Answer answer) {
		assertThat(answer.status()).as(path + ": " + answer.body()).isEqualTo(413);
		assertThat(answer.headers().get("content-type")).startsWith("application/problem+json");
		JsonNode problem = JSON.readTree(answer.body());
		assertThat(problem.path("type").asString()).isEqualTo("https://pgext.dev/problems/body-too-large");
		assertThat(problem.path("detail").asString()).isEqualTo("the request body is larger than the "
				+ this.properties.maxRequestBody().toBytes() + " bytes the importer reads (max-request-body)");
		if (path.equals(NEON)) {
			assertThat(problem.path("msg").asString()).isEqualTo(problem.path("detail").asString());
		}
	}

	private Socket open() throws IOException {
		Socket socket = new Socket("127.0.0.1", this.port);
		socket.setSoTimeout(30_000);
		return socket;
	}

	private static void send(Socket socket, String text) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(text.getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	/**
	 * An answer read off the socket as far as its end, not until the server closes the
	 * connection (it may wait for the rest of a body first).
	 *
	 * @param status the status code
	 * @param headers the headers, names in lower case
	 * @param body the body, de-chunked, as text
	 */
	private record Answer(int status, Map<String, String> headers, String body) {

		static Answer read(InputStream socket) throws IOException {
			InputStream in = new BufferedInputStream(socket);
			int status = Integer.parseInt(line(in).split(" ")[1]);
			Map<String, String> headers = new LinkedHashMap<>();
			for (String header = line(in); !header.isEmpty(); header = line(in)) {
				int colon = header.indexOf(':');
				headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
						header.substring(colon + 1).strip());
			}
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
				for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
					body.write(in.readNBytes(size));
					line(in);
				}
			}
			else if (headers.containsKey("content-length")) {
				body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
			}
			else {
				body.write(in.readAllBytes());
			}
			return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
		}

		private static int chunkSize(InputStream in) throws IOException {
			return Integer.parseInt(line(in).split(";")[0].strip(), 16);
		}

		private static String line(InputStream in) throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			int b;
			while ((b = in.read()) != '\n') {
				if (b < 0) {
					throw new IOException("the answer ended within a line: " + line);
				}
				line.write(b);
			}
			String text = line.toString(StandardCharsets.ISO_8859_1);
			return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
		}

	}

}
