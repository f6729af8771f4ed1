package dev.pgext.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.testsupport.DocumentLinters;
import dev.pgext.testsupport.OpenApiDocuments;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry's OpenAPI document is one a client generator can trust: each operation
 * states its success status and its problem answers, the publish body is described part
 * by part, and Redocly's recommended rules find no error in it.
 */
class ApiDocumentIntegrationTests extends RegistryIntegrationTest {

	private static final Path DOCUMENT = Path.of("target/api-docs/registry.json");

	private JsonNode document;

	@BeforeEach
	void fetchTheDocument() throws Exception {
		RegistryClient.Response response = api().get("/v3/api-docs", null);
		assertThat(response.status()).isEqualTo(200);
		Files.createDirectories(DOCUMENT.getParent());
		Files.writeString(DOCUMENT, response.text());
		this.document = response.json();
	}

	@Test
	void redoclyFindsNoErrorInTheOpenApiDocument() {
		DocumentLinters.Outcome lint = DocumentLinters.redoclyLint(DOCUMENT);
		assertThat(lint.passed()).as(lint.output()).isTrue();
	}

	@Test
	void theDocumentNamesTheRegistryItsVersionAndTheBearerScheme() {
		JsonNode info = this.document.path("info");
		assertThat(info.path("title").asString()).isEqualTo("pgext registry API");
		assertThat(info.path("version").asString()).isNotBlank().isNotEqualTo("v0").isNotEqualTo("development");
		assertThat(info.path("description").asString()).contains("application/problem+json", "snake_case");
		assertThat(this.document.path("components").path("securitySchemes").path("token").path("scheme").asString())
			.isEqualTo("bearer");
		assertThat(this.document.path("paths").propertyNames()).doesNotContain("/error");
	}

	@Test
	void publishDocumentsCreatedItsMultipartPartsAndItsRefusals() {
		JsonNode publish = this.document.path("paths").path("/api/v1/releases").path("post");
		assertThat(publish.path("responses").propertyNames())
			.contains("201", "400", "401", "403", "409", "413", "422", "503")
			.doesNotContain("200");
		JsonNode multipart = publish.path("requestBody").path("content").path("multipart/form-data");
		assertThat(multipart.path("schema").path("properties").propertyNames()).contains("metadata", "pg14", "pg18");
		assertThat(multipart.path("schema").path("required").toString()).contains("metadata");
		assertThat(multipart.path("encoding").path("metadata").path("contentType").asString())
			.isEqualTo("application/json");
		assertThat(multipart.path("encoding").path("pg17").path("contentType").asString()).contains("application/gzip",
				"application/zstd");
	}

	@Test
	void everyOperationHasAReadableUniqueIdATagASuccessAndProblemAnswers() {
		List<String> ids = OpenApiDocuments.assertEveryOperationDocumented(this.document, "401", "500");
		assertThat(ids).doesNotHaveDuplicates();
		JsonNode badRequest = this.document.path("components").path("responses").path("BadRequest");
		assertThat(badRequest.path("content").path("application/problem+json").path("schema").path("$ref").asString())
			.isEqualTo("#/components/schemas/ProblemDetail");
		JsonNode responses = this.document.path("components").path("responses");
		assertThat(responses.path("Unauthorized").path("headers").propertyNames()).contains("WWW-Authenticate");
		assertThat(responses.path("ServiceUnavailable").path("headers").propertyNames()).contains("Retry-After");
	}

	@Test
	void jsonFieldNamesAreSnakeCaseThroughout() {
		List<String> names = new ArrayList<>();
		for (Map.Entry<String, JsonNode> schema : this.document.path("components").path("schemas").properties()) {
			schema.getValue()
				.path("properties")
				.propertyNames()
				.forEach((name) -> names.add(schema.getKey() + "." + name));
		}
		assertThat(names).isNotEmpty().allSatisfy((name) -> assertThat(name).matches("[A-Za-z]+\\.[a-z][a-z0-9_]*"));
	}

}
