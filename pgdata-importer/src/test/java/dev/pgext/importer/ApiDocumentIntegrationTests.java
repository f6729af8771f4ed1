package dev.pgext.importer;

import java.net.http.HttpResponse;
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
 * The importer's OpenAPI document is one a client generator can trust: a real title,
 * version and description; each operation states its success status and its problem
 * answers through the shared problem schema; request bodies are described; Redocly's
 * recommended rules find no error in it.
 */
class ApiDocumentIntegrationTests extends ImporterIntegrationTestSupport {

	private static final Path DOCUMENT = Path.of("target/api-docs/importer.json");

	private JsonNode document;

	@BeforeEach
	void fetchTheDocument() throws Exception {
		HttpResponse<String> response = get("/v3/api-docs");
		assertThat(response.statusCode()).isEqualTo(200);
		Files.createDirectories(DOCUMENT.getParent());
		Files.writeString(DOCUMENT, response.body());
		this.document = JSON.readTree(response.body());
	}

	@Test
	void redoclyFindsNoErrorInTheOpenApiDocument() {
		DocumentLinters.Outcome lint = DocumentLinters.redoclyLint(DOCUMENT);
		assertThat(lint.passed()).as(lint.output()).isTrue();
	}

	@Test
	void theDocumentNamesTheImporterAndItsVersion() {
		JsonNode info = this.document.path("info");
		assertThat(info.path("title").asString()).isEqualTo("pgext PGDATA importer API");
		assertThat(info.path("version").asString()).isNotBlank().isNotEqualTo("v0").isNotEqualTo("development");
		assertThat(info.path("description").asString()).contains("application/problem+json", "snake_case");
	}

	@Test
	void creationDocumentsCreatedItsBodyAndItsRefusals() {
		JsonNode create = this.document.path("paths")
			.path("/v1/tenants/{tenant}/shards/{shard}/timelines")
			.path("post");
		assertThat(create.path("responses").propertyNames())
			.contains("201", "400", "403", "404", "409", "413", "500", "503")
			.doesNotContain("200");
		String body = create.path("requestBody")
			.path("content")
			.path("application/json")
			.path("schema")
			.path("$ref")
			.asString();
		JsonNode schema = this.document.path("components")
			.path("schemas")
			.path(body.substring(body.lastIndexOf('/') + 1));
		assertThat(schema.path("properties").propertyNames()).containsExactlyInAnyOrder("timeline_id", "import_pgdata");
		assertThat(schema.path("required").toString()).contains("timeline_id", "import_pgdata");
		assertThat(schema.path("properties").path("timeline_id").path("description").asString()).isNotBlank();

		JsonNode neon = this.document.path("paths").path("/v1/tenant/{tenant_shard_id}/timeline").path("post");
		assertThat(neon.path("responses").propertyNames())
			.contains("201", "400", "403", "404", "409", "413", "500", "503")
			.doesNotContain("200");
		assertThat(neon.path("requestBody").path("content").path("application/json").isMissingNode()).isFalse();
	}

	@Test
	void neonsCreationBodyIsDescribedWithNeonsLocationNotTheImportersOwn() {
		JsonNode neon = this.document.path("paths").path("/v1/tenant/{tenant_shard_id}/timeline").path("post");
		JsonNode request = schema(
				neon.path("requestBody").path("content").path("application/json").path("schema").path("$ref"));
		JsonNode importPgdata = schema(request.path("properties").path("import_pgdata").path("$ref"));
		JsonNode location = schema(importPgdata.path("properties").path("location").path("$ref"));
		assertThat(location.path("properties").propertyNames()).contains("AwsS3").doesNotContain("bucket", "prefix");
		JsonNode awsS3 = schema(location.path("properties").path("AwsS3").path("$ref"));
		assertThat(awsS3.path("properties").propertyNames()).containsExactlyInAnyOrder("region", "bucket", "key");

		JsonNode own = this.document.path("paths").path("/v1/tenants/{tenant}/shards/{shard}/timelines").path("post");
		JsonNode ownRequest = schema(
				own.path("requestBody").path("content").path("application/json").path("schema").path("$ref"));
		JsonNode ownImport = schema(ownRequest.path("properties").path("import_pgdata").path("$ref"));
		JsonNode ownLocation = schema(ownImport.path("properties").path("location").path("$ref"));
		assertThat(ownLocation.path("properties").propertyNames()).containsExactlyInAnyOrder("bucket", "prefix");
	}

	@Test
	void theStatusDocumentsThePhaseOfAnImportInProgress() {
		JsonNode phase = this.document.path("components")
			.path("schemas")
			.path("TimelineStatus")
			.path("properties")
			.path("phase");
		assertThat(phase.path("enum").toString()).contains("waiting_for_upload", "listing", "planning", "importing",
				"finishing");
		assertThat(phase.path("description").asString()).contains("in progress", "Null once the import ended");
	}

	/** The component schema a {@code $ref} names. */
	private JsonNode schema(JsonNode ref) {
		String name = ref.asString();
		assertThat(name).startsWith("#/components/schemas/");
		return this.document.path("components").path("schemas").path(name.substring(name.lastIndexOf('/') + 1));
	}

	@Test
	void everyOperationHasAnIdATagASuccessAndProblemAnswersOfTheSharedSchema() {
		List<String> ids = OpenApiDocuments.assertEveryOperationDocumented(this.document, "400", "404", "500", "503");
		assertThat(ids).hasSize(5).doesNotHaveDuplicates();
		JsonNode conflict = this.document.path("components").path("responses").path("Conflict");
		assertThat(conflict.path("content").path("application/problem+json").path("schema").path("$ref").asString())
			.isEqualTo("#/components/schemas/ProblemDetail");
	}

	@Test
	void jsonFieldNamesAreSnakeCaseExceptNeonsLocationTag() {
		List<String> names = new ArrayList<>();
		for (Map.Entry<String, JsonNode> schema : this.document.path("components").path("schemas").properties()) {
			schema.getValue()
				.path("properties")
				.propertyNames()
				.forEach((name) -> names.add(schema.getKey() + "." + name));
		}
		// Neon's ImportPgdataLocation is an externally tagged Rust enum: its variants are
		// spelled AwsS3 and LocalFs
		assertThat(names).isNotEmpty()
			.filteredOn((name) -> !name.endsWith(".AwsS3") && !name.endsWith(".LocalFs"))
			.allSatisfy((name) -> assertThat(name).matches("[A-Za-z0-9]+\\.[a-z][a-z0-9_]*"));
	}

}
