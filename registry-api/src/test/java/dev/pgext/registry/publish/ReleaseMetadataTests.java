package dev.pgext.registry.publish;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.pgext.model.index.PreloadNeed;
import dev.pgext.registry.problem.RegistryException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * META.json v1 is read as PGXN writes it, and the fields v2 adds are picked up where
 * present.
 */
class ReleaseMetadataTests {

	@Test
	void metaV1IsRead() {
		ReleaseMetadata metadata = parse("""
				{"name": "pair", "version": "0.1.2", "abstract": "A key/value pair data type",
				 "maintainer": ["David E. Wheeler <david@example.com>"], "license": ["postgresql", "mit"],
				 "tags": ["Ordered Pair", "pair"],
				 "provides": {"pair": {"file": "sql/pair.sql", "version": "0.1.2", "abstract": "pairs"}},
				 "meta-spec": {"version": "1.0.0"}}
				""");
		assertThat(metadata.name()).isEqualTo("pair");
		assertThat(metadata.summary()).isEqualTo("A key/value pair data type");
		assertThat(metadata.license()).isEqualTo("postgresql OR mit");
		assertThat(metadata.tags()).containsExactly("ordered pair", "pair");
		assertThat(metadata.maintainers()).containsExactly("David E. Wheeler <david@example.com>");
		assertThat(metadata.provides().get("pair").version()).isEqualTo("0.1.2");
		assertThat(metadata.provides().get("pair").preload()).isNull();
	}

	@Test
	void metaV2FieldsAreRead() {
		ReleaseMetadata metadata = parse("""
				{"name": "auto_stats", "version": "2.0.0", "abstract": "Statistics hooks",
				 "license": "PostgreSQL OR MIT", "maintainers": [{"name": "Jane", "email": "jane@example.com"}],
				 "resources": {"repository": "https://example.com/auto_stats.git"},
				 "dependencies": {"postgres": {"version": "14.0"}},
				 "classifications": {"tags": ["Stats"]},
				 "contents": {"extensions": {"auto_stats": {"control": "auto_stats.control", "preload": "session"}},
				              "modules": {"auto_stats_hook": {"type": "hook", "preload": "server"}}},
				 "artifacts": [{"url": "https://example.com/auto_stats.zip", "type": "source",
				                "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}],
				 "meta-spec": {"version": "2.0.0"}}
				""");
		assertThat(metadata.license()).isEqualTo("PostgreSQL OR MIT");
		assertThat(metadata.maintainers()).containsExactly("Jane");
		assertThat(metadata.tags()).containsExactly("stats");
		assertThat(metadata.provides().get("auto_stats").preload()).isEqualTo(PreloadNeed.SESSION);
		assertThat(metadata.modulePreload()).containsEntry("auto_stats_hook", PreloadNeed.SERVER);
		assertThat(metadata.json().path("dependencies").path("postgres").path("version").asString()).isEqualTo("14.0");
		assertThat(metadata.json().path("artifacts")).hasSize(1);
	}

	@Test
	void aTwoFieldMetaIsRefusedNamingEachMissingField() {
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse("{\"name\": \"pair\", \"version\": \"1.0.0\"}"))
			.satisfies((ex) -> {
				assertThat(ex.kind()).isEqualTo("invalid-metadata");
				assertThat(ex.properties()).containsEntry("meta_spec", 1);
				assertThat(messages(ex)).anySatisfy((m) -> assertThat(m).contains("abstract"))
					.anySatisfy((m) -> assertThat(m).contains("maintainer"))
					.anySatisfy((m) -> assertThat(m).contains("license"))
					.anySatisfy((m) -> assertThat(m).contains("meta-spec"));
			});
	}

	@Test
	void anInvalidLicenseIsRefusedWithItsPath() {
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse(V1.replace("\"postgresql\"", "\"gnu-whatever\"")))
			.satisfies((ex) -> assertThat(paths(ex)).contains("/license"));
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse(V2.replace("\"PostgreSQL OR MIT\"", "\"PostgreSQL OR\"")))
			.satisfies((ex) -> assertThat(paths(ex)).contains("/license"));
	}

	@Test
	void aV2MaintainerWithoutEmailOrUrlIsRefused() {
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse(V2.replace(", \"email\": \"jane@example.com\"", "")))
			.satisfies((ex) -> {
				assertThat(ex.properties()).containsEntry("meta_spec", 2);
				assertThat(paths(ex)).contains("/maintainers/0");
			});
		assertThat(parse(V2.replace("\"email\": \"jane@example.com\"", "\"url\": \"https://example.com/jane\""))
			.maintainers()).containsExactly("Jane");
	}

	@Test
	void aV1ProvidesEntryNeedsItsFile() {
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse(V1.replace("\"file\": \"sql/pair.sql\", ", "")))
			.satisfies((ex) -> assertThat(paths(ex)).contains("/provides/pair"));
	}

	@Test
	void textEveryClientShowsHoldsNoControlCharacter() {
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse(V2.replace("A key/value pair data type", "esc \\u001b[31mRED")))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-metadata"))
			.withMessage("metadata 'abstract' has the control character U+001B at offset 4; one line of printable "
					+ "text is expected");
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse(V1.replace("\"abstract\": \"A key/value pair data type\"",
					"\"abstract\": \"pairs\", \"tags\": [\"a\\u0007b\"]")))
			.withMessageContaining("metadata 'tag' has the control character U+0007");
		ReleaseMetadata multiline = parse(
				V2.replace("\"license\"", "\"description\": \"First line.\\n\\tSecond, indented.\", \"license\""));
		assertThat(multiline.description()).isEqualTo("First line.\n\tSecond, indented.");
	}

	private static final String V1 = """
			{"name": "pair", "version": "0.1.2", "abstract": "A key/value pair data type",
			 "maintainer": "David E. Wheeler <david@example.com>", "license": "postgresql",
			 "provides": {"pair": {"file": "sql/pair.sql", "version": "0.1.2"}},
			 "meta-spec": {"version": "1.0.0"}}
			""";

	private static final String V2 = """
			{"name": "pair", "version": "0.1.2", "abstract": "A key/value pair data type",
			 "maintainers": [{"name": "Jane", "email": "jane@example.com"}], "license": "PostgreSQL OR MIT",
			 "contents": {"extensions": {"pair": {"control": "pair.control"}}},
			 "meta-spec": {"version": "2.0.0"}}
			""";

	@SuppressWarnings("unchecked")
	private static java.util.List<java.util.Map<String, String>> errors(RegistryException ex) {
		return (java.util.List<java.util.Map<String, String>>) ex.properties().get("errors");
	}

	private static java.util.List<String> messages(RegistryException ex) {
		return errors(ex).stream().map((e) -> e.get("path") + " " + e.get("message")).toList();
	}

	private static java.util.List<String> paths(RegistryException ex) {
		return errors(ex).stream().map((e) -> e.get("path")).toList();
	}

	@Test
	void nameAndVersionFollowThePostgresRules() {
		assertThatExceptionOfType(RegistryException.class).isThrownBy(() -> parse("{\"version\": \"1.0\"}"))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-metadata"));
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse("{\"name\": \"-bad\", \"version\": \"1.0\"}"))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-name"));
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse("{\"name\": \"good\", \"version\": \"1 0\"}"))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-version"));
		assertThatExceptionOfType(RegistryException.class).isThrownBy(() -> parse("not json"))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-metadata"));
		assertThatExceptionOfType(RegistryException.class).isThrownBy(
				() -> parse("{\"name\": \"x\", \"version\": \"1\", \"provides\": {\"x\": {\"preload\": \"always\"}}}"))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-metadata"));
	}

	@Test
	void textTheCatalogCannotHoldIsRefusedWherever() {
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse("{\"name\": \"x\", \"version\": \"1.0.0\", \"extra\": {\"k\\u0000\": 1}}"))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-metadata"))
			.withMessageContaining("NUL");
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> parse("{\"name\": \"x\", \"version\": \"1.0.0\", \"tags\": [\"\\ud800\"]}"))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("invalid-metadata"))
			.withMessageContaining("tags[0]");
		assertThat(parse(V1.replace("A key/value pair data type", "caf\\u00e9 \\ud83d\\ude00")).summary())
			.isEqualTo("caf\u00e9 \ud83d\ude00");
	}

	@Test
	void tagsAndTextAreBounded() {
		ReleaseMetadata.Limits limits = new ReleaseMetadata.Limits(2, 5, 10, 20);
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> ReleaseMetadata
				.parse("{\"name\": \"x\", \"version\": \"1.0.0\", \"tags\": [\"a\", \"b\", \"c\"]}"
					.getBytes(StandardCharsets.UTF_8), limits))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("too-many-tags"));
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> ReleaseMetadata
				.parse("{\"name\": \"x\", \"version\": \"1.0.0\", \"description\": \"%s\"}".formatted("d".repeat(21))
					.getBytes(StandardCharsets.UTF_8), limits))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("field-too-long"))
			.withMessageContaining("description");
		// duplicates and case variants are one tag
		assertThat(ReleaseMetadata
			.parse(V1.replace("\"license\"", "\"tags\": [\"A\", \"a\", \"b\"], \"license\"")
				.getBytes(StandardCharsets.UTF_8), new ReleaseMetadata.Limits(2, 5, 100, 20))
			.tags()).containsExactly("a", "b");
	}

	private static ReleaseMetadata parse(String json) {
		return ReleaseMetadata.parse(json.getBytes(StandardCharsets.UTF_8));
	}

}
