package dev.pgext.registry;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.DocumentLinters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry's OpenAPI document is one a client generator can trust: Redocly's recommended
 * rules find no error in it.
 */
class ApiDocumentIntegrationTests extends RegistryIntegrationTest {

	@Test
	void redoclyFindsNoErrorInTheOpenApiDocument() throws Exception {
		Path document = Path.of("target/api-docs/registry.json");
		Files.createDirectories(document.getParent());
		Files.writeString(document, api().get("/v3/api-docs", null).text());
		DocumentLinters.Outcome lint = DocumentLinters.redoclyLint(document);
		assertThat(lint.passed()).as(lint.output()).isTrue();
	}

}
