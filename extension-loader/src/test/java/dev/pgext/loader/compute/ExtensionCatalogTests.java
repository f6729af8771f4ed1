package dev.pgext.loader.compute;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgext.loader.fetch.IndexMerge;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.PreloadNeed;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a compute may use, and which extension owns what Postgres asks for.
 */
class ExtensionCatalogTests {

	private static final PgMajor PG = PgMajor.of(15);

	private final ExtIndex publicIndex = ExtIndex.of(PG, null,
			List.of(entry("cube", "1.5", List.of()), entry("earthdistance", "1.1", List.of("cube")),
					entry("hstore", "1.8", List.of()), entry("pgcrypto", "1.3", List.of())));

	@Test
	void aTenantsExtensionReplacesThePublicOneOfTheSameName() {
		ExtIndex tenantIndex = ExtIndex.of(PG, TenantId.of("acme"),
				List.of(entry("hstore", "9.9", List.of()), entry("private_ext", "1.0", List.of())));
		ExtIndex merged = IndexMerge.merge(PG, TenantId.of("acme"), this.publicIndex, tenantIndex);
		assertThat(merged.extensions()).extracting((e) -> e.name().value())
			.containsExactly("cube", "earthdistance", "hstore", "pgcrypto", "private_ext");
		assertThat(merged.find("hstore").orElseThrow().version().value()).isEqualTo("9.9");
	}

	@Test
	void aScopeWithoutAnIndexOffersNothing() {
		assertThat(IndexMerge.merge(PG, TenantId.of("acme"), this.publicIndex, null).extensions()).hasSize(4);
		assertThat(IndexMerge.merge(PG, null, null, null).extensions()).isEmpty();
	}

	@Test
	void librariesAreFoundByAnyOfTheirSpellings() {
		ExtensionCatalog catalog = ExtensionCatalog.of(this.publicIndex, List.of());
		for (String spelling : List.of("hstore", "hstore.so", "$libdir/hstore")) {
			assertThat(catalog.owner(spelling, true)).as(spelling).map((e) -> e.name().value()).hasValue("hstore");
		}
	}

	@Test
	void nonLibraryRequestsAreFoundByExtensionNameFileNameOrDirectory() {
		ExtensionCatalog catalog = ExtensionCatalog.of(this.publicIndex, List.of());
		assertThat(catalog.owner("earthdistance", false)).map((e) -> e.name().value()).hasValue("earthdistance");
		assertThat(catalog.owner("hstore--1.8.sql", false)).map((e) -> e.name().value()).hasValue("hstore");
		assertThat(catalog.owner("extension/cube", false)).map((e) -> e.name().value()).hasValue("cube");
	}

	@Test
	void onlyAvailableExtensionsAreOwnersAndTheClosureBringsRequirementsFirst() {
		ExtensionCatalog catalog = ExtensionCatalog.of(this.publicIndex, List.of("cube", "earthdistance", "hstore"));
		assertThat(catalog.owner("pgcrypto.so", true)).isEmpty();
		assertThat(catalog.owner("pgcrypto", false)).isEmpty();
		assertThat(catalog.closure(catalog.owner("earthdistance", false).orElseThrow()))
			.extracting((e) -> e.name().value())
			.containsExactly("cube", "earthdistance");
	}

	private static ExtIndexEntry entry(String name, String version, List<String> requires) {
		List<ExtFile> files = List.of(
				new ExtFile("share/extension/" + name + ".control", Sha256Digest.of(name.getBytes()), name.length()),
				new ExtFile("share/extension/" + name + "--" + version + ".sql",
						Sha256Digest.of((name + version).getBytes()), 10),
				new ExtFile("lib/" + name + ".so", Sha256Digest.of((name + ".so").getBytes()), 100));
		return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of(version), version,
				"default_version = '" + version + "'\n", files, List.of(name), requires, PreloadNeed.NONE, false, true);
	}

}
