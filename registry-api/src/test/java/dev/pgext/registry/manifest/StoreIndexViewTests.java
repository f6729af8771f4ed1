package dev.pgext.registry.manifest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.index.PreloadNeed;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The preload documents a store target keeps per library: each is the whole index's own
 * entries of the extension providing the library and of everything it requires, and after
 * any sequence of changes the documents recomputed for the libraries a change names are
 * byte for byte those a view read whole computes.
 */
class StoreIndexViewTests {

	private static final PgMajor PG15 = PgMajor.of(15);

	private static final TenantId ACME = TenantId.of("acme");

	@Test
	void aPreloadDocumentHoldsTheWholeIndexsEntriesOfTheProviderAndItsRequiresClosure() {
		StoreIndexView view = new StoreIndexView(PG15);
		Map<String, ExtIndexEntry> catalog = new TreeMap<>();
		put(catalog, entry("base", "1.0", List.of(), List.of()));
		put(catalog, entry("middle", "1.0", List.of(), List.of("base")));
		put(catalog, entry("top", "1.0", List.of("toplib"), List.of("middle", "not_published")));
		put(catalog, entry("other", "1.0", List.of("otherlib"), List.of()));
		apply(view, catalog, catalog.keySet(), new TreeSet<>());

		ExtIndex document = ExtIndexJson.read(view.preloadDocument("toplib", ACME));
		ExtIndex whole = ExtIndex.of(PG15, ACME, List.copyOf(catalog.values()));
		assertThat(document.tenant()).isEqualTo(ACME);
		assertThat(document.extensions()).containsExactlyElementsOf(
				whole.requiresClosure(List.of("top")).stream().sorted((a, b) -> a.name().compareTo(b.name())).toList());
		// the entries have the bytes they have in the whole index
		String wholeText = new String(ExtIndexJson.writeCompact(whole), StandardCharsets.UTF_8);
		String documentText = new String(view.preloadDocument("toplib", ACME), StandardCharsets.UTF_8);
		for (ExtIndexEntry entry : document.extensions()) {
			String one = new String(ExtIndexJson.writeCompact(ExtIndex.of(PG15, null, List.of(entry))),
					StandardCharsets.UTF_8);
			String element = one.substring(one.indexOf('[') + 1, one.length() - 2);
			assertThat(wholeText).contains(element);
			assertThat(documentText).contains(element);
		}
		assertThat(view.preloadDocument("nobody_provides_this", ACME)).isNull();
	}

	@Test
	void theFirstProviderByNameOwnsALibraryAsInTheWholeIndex() {
		StoreIndexView view = new StoreIndexView(PG15);
		Map<String, ExtIndexEntry> catalog = new TreeMap<>();
		put(catalog, entry("zeta", "1.0", List.of("shared"), List.of()));
		put(catalog, entry("alpha", "1.0", List.of("shared"), List.of()));
		apply(view, catalog, catalog.keySet(), new TreeSet<>());
		ExtIndex whole = ExtIndex.of(PG15, null, List.copyOf(catalog.values()));

		assertThat(ExtIndexJson.read(view.preloadDocument("shared", null)).extensions())
			.containsExactly(whole.findByLibrary("shared").orElseThrow());
	}

	@Test
	void documentsRecomputedForWhatEachChangeNamesEqualThoseOfAViewReadWhole() {
		StoreIndexView incremental = new StoreIndexView(PG15);
		Map<String, ExtIndexEntry> catalog = new TreeMap<>();
		Map<String, byte[]> stored = new TreeMap<>();
		List<List<ExtIndexEntry>> changes = new ArrayList<>();
		changes.add(List.of(entry("a", "1.0", List.of("alib"), List.of("b")), entry("b", "1.0", List.of(), List.of()),
				entry("c", "1.0", List.of("clib"), List.of("missing_yet"))));
		// a required extension changes: the document of alib follows
		changes.add(List.of(entry("b", "2.0", List.of(), List.of())));
		// the missing requirement is published: clib's document now holds it
		changes.add(List.of(entry("missing_yet", "1.0", List.of(), List.of("b"))));
		// a second provider sorting first takes a library over
		changes.add(List.of(entry("aa", "1.0", List.of("clib"), List.of())));
		// b is withdrawn (no current build), a stops providing alib
		changes.add(List.of(entry("a", "1.1", List.of(), List.of("b"))));
		List<String> withdrawn = new ArrayList<>(List.of("b"));
		for (int step = 0; step < changes.size(); step++) {
			Set<String> names = new TreeSet<>();
			changes.get(step).forEach((entry) -> {
				put(catalog, entry);
				names.add(entry.name().value());
			});
			if (step == changes.size() - 1) {
				withdrawn.forEach((name) -> {
					catalog.remove(name);
					names.add(name);
				});
			}
			Set<String> libraries = new TreeSet<>();
			apply(incremental, catalog, names, libraries);
			for (String library : libraries) {
				byte[] document = incremental.preloadDocument(library, null);
				if (document != null) {
					stored.put(library, document);
				}
				else {
					stored.remove(library);
				}
			}
			StoreIndexView whole = new StoreIndexView(PG15);
			apply(whole, catalog, catalog.keySet(), new TreeSet<>());
			Map<String, byte[]> expected = new TreeMap<>();
			new TreeSet<>(whole.libraries())
				.forEach((library) -> expected.put(library, whole.preloadDocument(library, null)));
			String after = "after change " + step;
			assertThat(stored).as(after).containsOnlyKeys(expected.keySet());
			expected.forEach((library, document) -> assertThat(stored.get(library)).as(library + " " + after)
				.isEqualTo(document));
		}
		assertThat(stored).containsOnlyKeys("clib");
		assertThat(ExtIndexJson.read(stored.get("clib")).extensions()).extracting((entry) -> entry.name().value())
			.containsExactly("aa");
	}

	private static void apply(StoreIndexView view, Map<String, ExtIndexEntry> catalog, Set<String> names,
			Set<String> libraries) {
		Map<String, StoreIndexView.Extension> extensions = new TreeMap<>();
		for (String name : names) {
			ExtIndexEntry entry = catalog.get(name);
			if (entry != null) {
				extensions.put(name, view.extension(name, 1, 1, entry));
			}
		}
		view.replace(names, extensions, new TreeSet<>(), libraries);
	}

	private static void put(Map<String, ExtIndexEntry> catalog, ExtIndexEntry entry) {
		catalog.put(entry.name().value(), entry);
	}

	private static ExtIndexEntry entry(String name, String version, List<String> libraries, List<String> requires) {
		List<ExtFile> files = new ArrayList<>();
		files.add(file("share/extension/" + name + ".control"));
		files.add(file("share/extension/" + name + "--" + version + ".sql"));
		libraries.forEach((library) -> files.add(file("lib/" + library + ".so")));
		return new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of(version), version,
				"default_version = '" + version + "'\n", files, libraries, requires, PreloadNeed.NONE, false, true);
	}

	private static ExtFile file(String path) {
		return new ExtFile(path, Sha256Digest.of(path.getBytes(StandardCharsets.UTF_8)), path.length());
	}

}
