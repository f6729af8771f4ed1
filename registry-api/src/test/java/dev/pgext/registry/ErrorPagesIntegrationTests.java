package dev.pgext.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.testsupport.RawHttp;

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
		RawHttp.Response response = send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		assertProblem(response, path);
	}

	@Test
	void aUrlOfTenThousandCharactersAnswersAProblem() {
		RawHttp.Response response = send("GET /api/v1/extensions/" + "x".repeat(10_000)
				+ " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		assertProblem(response, "10k URL");
	}

	@Test
	void aHeaderBlockLargerThanTheLimitAnswersAProblem() {
		RawHttp.Response response = send("GET /api/v1/extensions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
				+ "y".repeat(20_000) + "\r\nConnection: close\r\n\r\n");
		assertProblem(response, "big header");
	}

	@Test
	void multipartWithoutABoundaryAnswersAProblem() {
		String body = "--x\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{}\r\n--x--\r\n";
		RawHttp.Response response = send("POST /api/v1/releases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
				+ ADMIN_TOKEN + "\r\nContent-Type: multipart/form-data\r\nContent-Length: " + body.length()
				+ "\r\nConnection: close\r\n\r\n" + body);
		assertProblem(response, "no boundary");
		assertThat(response.status()).isEqualTo(400);
	}

	@Test
	void aBrokenMultipartBodyAnswersAProblem() {
		String body = "--x\r\nContent-Disposition: form-data; name=\"pg17\"; filename=\"a.tar.gz\"\r\n\r\nunterminated";
		RawHttp.Response response = send("POST /api/v1/releases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
				+ ADMIN_TOKEN + "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: " + body.length()
				+ "\r\nConnection: close\r\n\r\n" + body);
		assertProblem(response, "broken multipart");
		assertThat(response.status()).isEqualTo(400);
		assertThat(json(response).path("type").asString()).isEqualTo(RegistryExceptionTypes.BASE + "invalid-multipart");
	}

	@Test
	void aFormBodyTomcatCannotDecodeIsTheClientsError() {
		String body = "name=%ZZ";
		RawHttp.Response response = send("POST /api/v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
				+ ADMIN_TOKEN + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
				+ body.length() + "\r\nConnection: close\r\n\r\n" + body);
		assertProblem(response, "undecodable form body");
		assertThat(response.status()).isEqualTo(400);
		assertThat(json(response).path("detail").asString())
			.isEqualTo("the request parameters are not valid URL encoding");
	}

	private static void assertProblem(RawHttp.Response response, String what) {
		assertThat(response.status()).as(what + ": " + response).isBetween(400, 499);
		assertThat(response.headers().get("content-type")).as(what + ": " + response)
			.startsWith("application/problem+json");
		JsonNode problem = json(response);
		assertThat(problem.path("type").asString()).as(what).startsWith(RegistryExceptionTypes.BASE);
		assertThat(problem.path("status").asInt()).as(what).isEqualTo(response.status());
	}

	private RawHttp.Response send(String request) {
		return RawHttp.send(this.port, request);
	}

	private static JsonNode json(RawHttp.Response response) {
		return JSON.readTree(response.body());
	}

	/** Where every problem type starts. */
	static final class RegistryExceptionTypes {

		static final String BASE = "https://pgext.dev/problems/";

	}

}
