package dev.pgext.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.web.client.RestClient;

/**
 * A small HTTP client for the registry's API that hands back every response, error or
 * not, as status, headers and body.
 */
public final class RegistryClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RestClient client;

	public RegistryClient(String baseUrl) {
		JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory();
		// the exact bytes and headers the registry sends: no Accept-Encoding unless a
		// test asks for one
		requests.enableCompression(false);
		this.client = RestClient.builder().baseUrl(baseUrl).requestFactory(requests).build();
	}

	/**
	 * One response.
	 *
	 * @param status the HTTP status
	 * @param headers the headers
	 * @param body the body bytes
	 */
	public record Response(int status, HttpHeaders headers, byte[] body) {

		public String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

		public JsonNode json() {
			return JSON.readTree(this.body);
		}

		/**
		 * The problem type of an error response, such as
		 * {@code https://pgext.dev/problems/version-exists}.
		 */
		public String problemType() {
			return json().path("type").asString();
		}

		@Override
		public String toString() {
			return this.status + " " + text();
		}

	}

	public Response get(String path, String token, Map<String, String> headers) {
		return this.client.get().uri(path).headers((h) -> {
			auth(h, token);
			headers.forEach(h::set);
		}).exchange((request, response) -> read(response), false);
	}

	/**
	 * A GET whose URI template variables are encoded by the client, such as
	 * {@code /api/v1/search?q={q}}.
	 */
	public Response getTemplate(String template, String token, Object... variables) {
		return this.client.get()
			.uri(template, variables)
			.headers((h) -> auth(h, token))
			.exchange((request, response) -> read(response), false);
	}

	public Response get(String path, String token) {
		return get(path, token, Map.of());
	}

	public Response delete(String path, String token) {
		return this.client.delete()
			.uri(path)
			.headers((h) -> auth(h, token))
			.exchange((request, response) -> read(response), false);
	}

	public Response postJson(String path, String token, Object body) {
		return this.client.post()
			.uri(path)
			.headers((h) -> auth(h, token))
			.contentType(MediaType.APPLICATION_JSON)
			.body(JSON.writeValueAsString(body))
			.exchange((request, response) -> read(response), false);
	}

	public Response publish(String token, String tenant, String metadata, Map<String, byte[]> artifacts) {
		MultipartBodyBuilder parts = new MultipartBodyBuilder();
		if (metadata != null) {
			parts.part("metadata", metadata.getBytes(StandardCharsets.UTF_8))
				.filename("META.json")
				.contentType(MediaType.APPLICATION_JSON);
		}
		artifacts.forEach((name, bytes) -> parts.part(name, bytes)
			.filename(name + ".tar")
			.contentType(MediaType.APPLICATION_OCTET_STREAM));
		return this.client.post()
			.uri((tenant != null) ? "/api/v1/releases?tenant=" + tenant : "/api/v1/releases")
			.headers((h) -> auth(h, token))
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.body(parts.build())
			.exchange((request, response) -> read(response), false);
	}

	private static void auth(HttpHeaders headers, String token) {
		if (token != null) {
			headers.setBearerAuth(token);
		}
	}

	private static Response read(org.springframework.http.client.ClientHttpResponse response) {
		try {
			return new Response(response.getStatusCode().value(), response.getHeaders(),
					response.getBody().readAllBytes());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
