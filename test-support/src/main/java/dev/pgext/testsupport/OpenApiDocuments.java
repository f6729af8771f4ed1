package dev.pgext.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks every service's OpenAPI document passes, in one place: each operation has a
 * readable {@code operationId}, a summary, one tag, a success answer and its problem
 * answers as shared responses ({@code #/components/responses/...}).
 */
public final class OpenApiDocuments {

	private OpenApiDocuments() {
	}

	/**
	 * Asserts the shared rules on every operation of {@code document}.
	 * @param document the OpenAPI document
	 * @param problemStatuses the problem statuses every operation of this service answers
	 * @return the operation ids, in document order
	 */
	public static List<String> assertEveryOperationDocumented(JsonNode document, String... problemStatuses) {
		List<String> ids = new ArrayList<>();
		for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
			for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
				JsonNode operation = method.getValue();
				String where = method.getKey() + " " + path.getKey();
				ids.add(operation.path("operationId").asString());
				assertThat(operation.path("operationId").asString()).as(where).matches("[a-z][A-Za-z]+");
				assertThat(operation.path("summary").asString()).as(where).isNotBlank();
				assertThat(operation.path("tags").size()).as(where).isEqualTo(1);
				List<String> statuses = operation.path("responses").propertyNames().stream().toList();
				assertThat(statuses).as(where).anyMatch((status) -> status.startsWith("2"));
				assertThat(statuses).as(where).contains(problemStatuses);
				for (String status : statuses) {
					if (status.startsWith("4") || status.startsWith("5")) {
						assertThat(operation.path("responses").path(status).path("$ref").asString()).as(where)
							.startsWith("#/components/responses/");
					}
				}
			}
		}
		return ids;
	}

}
