package dev.pgext.model.index;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ExtIndexJson} and the lookups of {@link ExtIndex}.
 */
class ExtIndexJsonTests {

	private static ExtIndexEntry entry(String name, List<String> requires, List<String> libraries,
			PreloadNeed preload) {
		byte[] control = ("default_version = '1.0'\n").getBytes(StandardCharsets.UTF_8);
		List<ExtFile> files = new java.util.ArrayList<>();
		files.add(new ExtFile("share/extension/" + name + ".control", Sha256Digest.of(control), control.length));
		files.add(new ExtFile("share/extension/" + name + "--1.0.sql", Sha256Digest.of(name.getBytes()), 42));
		for (String library : libraries) {
			files.add(new ExtFile("lib/" + library + ".so", Sha256Digest.of(library.getBytes()), 1000));
		}
		return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of("1.0"), "1.0",
				new String(control, StandardCharsets.UTF_8), files, libraries, requires, preload, true, false);
	}

	private static ExtIndex sample() {
		return ExtIndex.of(new PgMajor(15), TenantId.of("acme"),
				List.of(entry("earthdistance", List.of("cube"), List.of("earthdistance"), PreloadNeed.NONE),
						entry("cube", List.of(), List.of("cube"), PreloadNeed.NONE),
						entry("pg_stat_statements", List.of(), List.of("pg_stat_statements"), PreloadNeed.SERVER)));
	}

	@Test
	void anIndexSurvivesARoundTripUnchanged() {
		ExtIndex index = sample();
		byte[] json = ExtIndexJson.write(index);
		ExtIndex back = ExtIndexJson.read(json);
		assertThat(back).isEqualTo(index);
		assertThat(ExtIndexJson.write(back)).isEqualTo(json);
	}

	@Test
	void theJsonUsesTheDocumentedFieldNames() {
		String json = new String(ExtIndexJson.write(sample()), StandardCharsets.UTF_8);
		assertThat(json).contains("\"format\" : 1", "\"pg_major\" : 15", "\"tenant\" : \"acme\"",
				"\"default_version\" : \"1.0\"", "\"preload\" : \"server\"", "\"sha256\" : \"",
				"\"path\" : \"lib/cube.so\"");
	}

	@Test
	void entriesAreSortedSoEqualIndexesHaveEqualBytes() {
		ExtIndex index = sample();
		assertThat(index.extensions()).extracting((e) -> e.name().value())
			.containsExactly("cube", "earthdistance", "pg_stat_statements");
		ExtIndex reordered = ExtIndex.of(new PgMajor(15), TenantId.of("acme"),
				List.of(index.extensions().get(2), index.extensions().get(0), index.extensions().get(1)));
		assertThat(ExtIndexJson.write(reordered)).isEqualTo(ExtIndexJson.write(index));
	}

	@Test
	void requiresClosureListsDependenciesFirst() {
		ExtIndex index = sample();
		assertThat(index.requiresClosure(List.of("earthdistance"))).extracting((e) -> e.name().value())
			.containsExactly("cube", "earthdistance");
		assertThat(index.missingRequirements(List.of("earthdistance", "postgis"))).containsExactly("postgis");
	}

	@Test
	void librariesAndFilesLeadToTheirExtension() {
		ExtIndex index = sample();
		assertThat(index.findByLibrary("$libdir/pg_stat_statements")).map((e) -> e.name().value())
			.contains("pg_stat_statements");
		assertThat(index.findByLibrary("cube.so")).map((e) -> e.name().value()).contains("cube");
		assertThat(index.findByFileName("earthdistance.control")).map((e) -> e.name().value())
			.contains("earthdistance");
		assertThat(index.findByFileName("postgis.control")).isEmpty();
	}

	@Test
	void invalidJsonIsRejectedWithTheReason() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ExtIndexJson.read("{\"format\":2,\"pg_major\":15}".getBytes()))
			.withMessageContaining("format 2");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ExtIndexJson.read(("{\"format\":1,\"pg_major\":15,\"extensions\":[{\"name\":\"x\","
					+ "\"version\":\"1\",\"files\":[{\"path\":\"../etc/passwd\",\"sha256\":\"" + "a".repeat(64)
					+ "\",\"size\":1}]}]}")
				.getBytes()))
			.withMessageContaining("../etc/passwd");
	}

}
