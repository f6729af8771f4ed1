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
				 "classifications": {"tags": ["Stats"]},
				 "contents": {"extensions": {"auto_stats": {"control": "auto_stats.control", "preload": "session"}},
				              "modules": {"auto_stats_hook": {"type": "hook", "preload": "server"}}},
				 "meta-spec": {"version": "2.0.0"}}
				""");
		assertThat(metadata.license()).isEqualTo("PostgreSQL OR MIT");
		assertThat(metadata.maintainers()).containsExactly("Jane");
		assertThat(metadata.tags()).containsExactly("stats");
		assertThat(metadata.provides().get("auto_stats").preload()).isEqualTo(PreloadNeed.SESSION);
		assertThat(metadata.modulePreload()).containsEntry("auto_stats_hook", PreloadNeed.SERVER);
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
		assertThat(parse("{\"name\": \"x\", \"version\": \"1.0.0\", \"abstract\": \"caf\\u00e9 \\ud83d\\ude00\"}")
			.summary()).isEqualTo("caf\u00e9 \ud83d\ude00");
	}

	@Test
	void tagsAndTextAreBounded() {
		ReleaseMetadata.Limits limits = new ReleaseMetadata.Limits(2, 5, 10, 20);
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> ReleaseMetadata.parse(
					"{\"name\": \"x\", \"version\": \"1.0.0\", \"tags\": [\"a\", \"b\", \"c\"]}"
						.getBytes(StandardCharsets.UTF_8), limits))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("too-many-tags"));
		assertThatExceptionOfType(RegistryException.class)
			.isThrownBy(() -> ReleaseMetadata.parse(
					"{\"name\": \"x\", \"version\": \"1.0.0\", \"description\": \"%s\"}".formatted("d".repeat(21))
						.getBytes(StandardCharsets.UTF_8), limits))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo("field-too-long"))
			.withMessageContaining("description");
		// duplicates and case variants are one tag
		assertThat(ReleaseMetadata.parse("{\"name\": \"x\", \"version\": \"1.0.0\", \"tags\": [\"A\", \"a\", \"b\"]}"
			.getBytes(StandardCharsets.UTF_8), limits).tags()).containsExactly("a", "b");
	}

	private static ReleaseMetadata parse(String json) {
		return ReleaseMetadata.parse(json.getBytes(StandardCharsets.UTF_8));
	}

}
