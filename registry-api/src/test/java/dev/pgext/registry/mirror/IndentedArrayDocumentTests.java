package dev.pgext.registry.mirror;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link IndentedArrayDocument}: a document assembled from kept elements has
 * the bytes the mirror's JSON writer gives it written whole.
 */
class IndentedArrayDocumentTests {

	@Test
	void aDocumentAssembledFromElementsEqualsItWrittenWhole() {
		List<Map<String, Object>> summaries = new ArrayList<>();
		summaries.add(summary("alpha", "1.0.0", "First \"quoted\" abstract", false));
		summaries.add(summary("beta", null, null, true));
		summaries.add(summary("gamma\u00e9", "2.0.0-rc.1", "line\nbreak", false));
		Map<String, Object> head = new LinkedHashMap<>();
		head.put("format", 1);
		head.put("templates", Map.of("extension", "extensions/{name}.json"));
		head.put("pg_majors", List.of(15, 17));
		assertThat(IndentedArrayDocument.write(head, "extensions",
				summaries.stream().map(IndentedArrayDocument::element).toList()))
			.isEqualTo(whole(head, summaries));
	}

	@Test
	void aDocumentWithoutElementsEqualsItWrittenWhole() {
		Map<String, Object> head = new LinkedHashMap<>();
		head.put("format", 1);
		head.put("pg_majors", List.of());
		assertThat(IndentedArrayDocument.write(head, "extensions", List.of())).isEqualTo(whole(head, List.of()));
	}

	private static Map<String, Object> summary(String name, String latest, String summary, boolean deprecated) {
		Map<String, Object> entry = new LinkedHashMap<>();
		entry.put("name", name);
		entry.put("latest", latest);
		entry.put("abstract", summary);
		entry.put("deprecated", deprecated);
		return entry;
	}

	private static byte[] whole(Map<String, Object> head, List<Map<String, Object>> elements) {
		Map<String, Object> document = new LinkedHashMap<>(head);
		document.put("extensions", elements);
		return MirrorContent.json(document);
	}

}
