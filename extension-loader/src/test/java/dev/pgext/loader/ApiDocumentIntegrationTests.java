package dev.pgext.loader;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.pgext.testsupport.DocumentLinters;
import dev.pgext.testsupport.OpenApiDocuments;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loader's OpenAPI document is one a client generator can trust: a real title,
 * version and description; each operation, the JIT endpoint included, states its success
 * status and its problem answers through the shared problem schema; Redocly's recommended
 * rules find no error.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "pgext.loader.s3.endpoint=http://127.0.0.1:9", "pgext.loader.s3.bucket=unused" })
class ApiDocumentIntegrationTests {

	private static final Path DOCUMENT = Path.of("target/api-docs/loader.json");

	@LocalServerPort
	int port;

	private JsonNode document;

	@BeforeEach
	void fetchTheDocument() throws Exception {
		HttpResponse<String> response = new LoaderClient(this.port).get("/v3/api-docs");
		assertThat(response.statusCode()).isEqualTo(200);
		Files.createDirectories(DOCUMENT.getParent());
		Files.writeString(DOCUMENT, response.body());
		this.document = JsonMapper.builder().build().readTree(response.body());
	}

	@Test
	void redoclyFindsNoErrorInTheOpenApiDocument() {
		DocumentLinters.Outcome lint = DocumentLinters.redoclyLint(DOCUMENT);
		assertThat(lint.passed()).as(lint.output()).isTrue();
	}

	@Test
	void theDocumentNamesTheLoaderItsVersionAndTheJitPathAsNeonDoes() {
		JsonNode info = this.document.path("info");
		assertThat(info.path("title").asString()).isEqualTo("pgext extension loader");
		assertThat(info.path("version").asString()).isEqualTo("v1");
		assertThat(info.path("description").asString()).contains("application/problem+json");
		assertThat(this.document.path("paths").propertyNames())
			.contains("/extension_server/{filename}", "/compute/start", "/status")
			.noneMatch((path) -> path.contains("**"));
		JsonNode jit = this.document.path("paths").path("/extension_server/{filename}").path("post");
		assertThat(jit.path("parameters").findValuesAsString("name")).containsExactly("filename", "is_library");
		assertThat(jit.path("responses").propertyNames()).contains("200", "404", "409", "500");
		assertThat(jit.path("responses").path("404").path("$ref").asString())
			.isEqualTo("#/components/responses/NotFound");
		assertThat(this.document.path("components")
			.path("responses")
			.path("NotFound")
			.path("content")
			.has("application/problem+json")).isTrue();
		assertThat(this.document.path("paths").path("/status").path("get").toString()).contains("ComputeStatus");
	}

	@Test
	void everyOperationHasAnIdATagASuccessAndProblemAnswersOfTheSharedSchema() {
		List<String> ids = OpenApiDocuments.assertEveryOperationDocumented(this.document, "500");
		assertThat(ids).hasSize(3).doesNotHaveDuplicates();
		JsonNode start = this.document.path("paths").path("/compute/start").path("post");
		assertThat(start.path("responses").propertyNames()).contains("202", "400", "409").doesNotContain("200");
		assertThat(this.document.path("components")
			.path("schemas")
			.path("ProblemDetail")
			.path("properties")
			.propertyNames()).contains("type", "detail", "reason");
	}

}
