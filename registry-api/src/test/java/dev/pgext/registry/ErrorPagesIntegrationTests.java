package dev.pgext.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests that fail before any controller runs (Tomcat refuses the URL, the multipart
 * body cannot be parsed) answer a problem with a stable type like every other error,
 * never an HTML page and never a 5xx. Sent as raw bytes through a socket, so that no
 * client library tidies them up first.
 */
class ErrorPagesIntegrationTests extends RegistryIntegrationTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@ParameterizedTest
	@ValueSource(strings = { "/api/v1/extensions/a%2Fb", "/api/v1/extensions/a%5Cb", "/api/v1/extensions/%ZZ",
			"/api/v1/%", "/api/v1/extensions/a%00b", "/api/v1/extensions/{x}", "/api/v1/extensions/a|b",
			"/api/v1/../../etc/passwd", "/api/v1/extensions/%C0%AF", "/api/v1/search?q=%00", "/api/v1/search?q=%ZZ",
			"/api/v1/extensions?tag=%00", "/api/v1/files/not-a-digest", "/api/v1/compute-manifests/13",
			"/;jsessionid=x/api/v1/extensions", "/api/v1/extensions?page=%E0%A4" })
	void oddPathsAnswerAProblem(String path) {
		Raw response = send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		assertProblem(response, path);
	}

	@Test
	void aUrlOfTenThousandCharactersAnswersAProblem() {
		Raw response = send("GET /api/v1/extensions/" + "x".repeat(10_000)
				+ " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		assertProblem(response, "10k URL");
	}

	@Test
	void aHeaderBlockLargerThanTheLimitAnswersAProblem() {
		Raw response = send("GET /api/v1/extensions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "y".repeat(20_000)
				+ "\r\nConnection: close\r\n\r\n");
		assertProblem(response, "big header");
	}

	@Test
	void multipartWithoutABoundaryAnswersAProblem() {
		String body = "--x\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{}\r\n--x--\r\n";
		Raw response = send("POST /api/v1/releases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_TOKEN
				+ "\r\nContent-Type: multipart/form-data\r\nContent-Length: " + body.length()
				+ "\r\nConnection: close\r\n\r\n" + body);
		assertProblem(response, "no boundary");
		assertThat(response.status()).isEqualTo(400);
	}

	@Test
	void aBrokenMultipartBodyAnswersAProblem() {
		String body = "--x\r\nContent-Disposition: form-data; name=\"pg17\"; filename=\"a.tar.gz\"\r\n\r\nunterminated";
		Raw response = send("POST /api/v1/releases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_TOKEN
				+ "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: " + body.length()
				+ "\r\nConnection: close\r\n\r\n" + body);
		assertProblem(response, "broken multipart");
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.json().path("type").asString())
			.isEqualTo(RegistryExceptionTypes.BASE + "invalid-multipart");
	}

	private static void assertProblem(Raw response, String what) {
		assertThat(response.status()).as(what + ": " + response).isBetween(400, 499);
		assertThat(response.headers().get("content-type")).as(what + ": " + response)
			.startsWith("application/problem+json");
		JsonNode problem = response.json();
		assertThat(problem.path("type").asString()).as(what).startsWith(RegistryExceptionTypes.BASE);
		assertThat(problem.path("status").asInt()).as(what).isEqualTo(response.status());
	}

	private Raw send(String request) {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			return Raw.read(socket.getInputStream());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Where every problem type starts. */
	static final class RegistryExceptionTypes {

		static final String BASE = "https://pgext.dev/problems/";

	}

	/**
	 * A response as it came off the wire.
	 *
	 * @param status the status code
	 * @param headers the headers, names in lower case
	 * @param body the body, de-chunked
	 */
	record Raw(int status, Map<String, String> headers, byte[] body) {

		static Raw read(InputStream in) throws IOException {
			byte[] all = in.readAllBytes();
			String text = new String(all, StandardCharsets.ISO_8859_1);
			int end = text.indexOf("\r\n\r\n");
			String[] lines = text.substring(0, end).split("\r\n");
			int status = Integer.parseInt(lines[0].split(" ")[1]);
			Map<String, String> headers = new LinkedHashMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
						lines[i].substring(colon + 1).strip());
			}
			byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
			if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
				body = dechunk(body);
			}
			return new Raw(status, headers, body);
		}

		private static byte[] dechunk(byte[] chunked) {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			int pos = 0;
			while (pos < chunked.length) {
				int lineEnd = pos;
				while (lineEnd + 1 < chunked.length && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) {
					lineEnd++;
				}
				String size = new String(chunked, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";")[0]
					.strip();
				int length = Integer.parseInt(size, 16);
				if (length == 0) {
					break;
				}
				out.write(chunked, lineEnd + 2, length);
				pos = lineEnd + 2 + length + 2;
			}
			return out.toByteArray();
		}

		JsonNode json() {
			return JSON.readTree(this.body);
		}

		@Override
		public String toString() {
			return this.status + " " + this.headers + " " + new String(this.body, StandardCharsets.UTF_8);
		}

	}

}
