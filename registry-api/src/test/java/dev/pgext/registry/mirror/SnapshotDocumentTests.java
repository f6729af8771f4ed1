package dev.pgext.registry.mirror;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.pgext.model.Sha256Digest;
import dev.pgext.registry.projection.ProjectionStates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SnapshotDocument}: the root and the parts have the bytes the mirror's
 * JSON writer gives each whole document, on the first write and after files are added,
 * changed and removed; and a change rewrites only the parts that list the files it
 * touched.
 */
class SnapshotDocumentTests {

	private final SnapshotDocument snapshot = new SnapshotDocument();

	@Test
	void anEmptyMirrorsSnapshotIsAnEmptyRootWithoutParts() {
		SnapshotDocument.Written written = this.snapshot.reset(List.of());
		assertThat(written.root()).isEqualTo(MirrorContent.json(document("parts", new TreeMap<>())));
		assertThat(written.parts().values()).allMatch((part) -> part.content() == null);
	}

	@Test
	void theSnapshotListsEveryFileInThePartItsPathFallsIntoAsTheWholeDocumentsWouldBeWritten() {
		TreeMap<String, ProjectionStates.Stored> files = new TreeMap<>();
		files.put("extensions/a.json", stored('a', 120));
		files.put("extensions/a/1.0.0.json", stored('b', 0));
		files.put("dist/odd \"name\"\\with\ttab/é.json", stored('c', 9_000_000_000L));
		files.put("index.json", stored('d', 7));
		for (int i = 0; i < 600; i++) {
			files.put("extension/e" + i + ".json", stored((char) ('a' + i % 6), i));
		}
		SnapshotDocument.Written written = this.snapshot.reset(files.entrySet());
		assertWholeDocuments(written, files);
		assertThat(written.parts().values().stream().filter((part) -> part.content() != null))
			.as("a large mirror is listed in many parts")
			.hasSizeGreaterThan(200);
	}

	@Test
	void filesAddedChangedAndRemovedRewriteOnlyTheirPartsAsAFreshListingWouldWriteThem() {
		TreeMap<String, ProjectionStates.Stored> files = new TreeMap<>();
		for (int i = 0; i < 1000; i++) {
			files.put("extensions/e" + i + ".json", stored((char) ('a' + i % 6), i));
		}
		this.snapshot.reset(files.entrySet());
		Map<String, ProjectionStates.Stored> changed = new TreeMap<>();
		changed.put("extensions/e7.json", stored('f', 77));
		changed.put("extensions/e10a.json", stored('e', 1));
		changed.put("a-first.json", stored('e', 2));
		// listed again unchanged: its part is not rewritten for it
		changed.put("extensions/e500.json", files.get("extensions/e500.json"));
		files.putAll(changed);
		files.remove("extensions/e3.json");
		SnapshotDocument.Written written = this.snapshot.update(Set.of("extensions/e3.json"), changed);
		assertThat(written.parts().keySet()).containsExactlyInAnyOrderElementsOf(
				partsOf("extensions/e7.json", "extensions/e10a.json", "a-first.json", "extensions/e3.json"));
		Map<String, byte[]> whole = new SnapshotDocument().reset(files.entrySet())
			.parts()
			.entrySet()
			.stream()
			.filter((part) -> part.getValue().content() != null)
			.collect(TreeMap::new, (map, part) -> map.put(part.getKey(), part.getValue().content()), Map::putAll);
		written.parts().forEach((path, part) -> assertThat(part.content()).as(path).isEqualTo(whole.get(path)));
		assertThat(written.root()).isEqualTo(new SnapshotDocument().reset(files.entrySet()).root());
		assertWholeDocuments(new SnapshotDocument().reset(files.entrySet()), files);
	}

	@Test
	void aPartLeftEmptyIsDroppedFromTheRoot() {
		this.snapshot.reset(Map.of("index.json", stored('a', 1), "extensions/x.json", stored('b', 2)).entrySet());
		SnapshotDocument.Written written = this.snapshot.update(Set.of("extensions/x.json"), Map.of());
		String part = SnapshotDocument.partPath(SnapshotDocument.partOf("extensions/x.json"));
		assertThat(written.parts().get(part).content()).isNull();
		assertThat(written.root())
			.isEqualTo(new SnapshotDocument().reset(Map.of("index.json", stored('a', 1)).entrySet()).root());
	}

	private static Set<String> partsOf(String... paths) {
		Set<String> parts = new java.util.TreeSet<>();
		for (String path : paths) {
			parts.add(SnapshotDocument.partPath(SnapshotDocument.partOf(path)));
		}
		return parts;
	}

	/**
	 * Checks the root and every part against the whole documents written by the mirror's
	 * JSON writer.
	 */
	private static void assertWholeDocuments(SnapshotDocument.Written written,
			TreeMap<String, ProjectionStates.Stored> files) {
		Map<String, TreeMap<String, ProjectionStates.Stored>> parts = new TreeMap<>();
		files.forEach((path, file) -> parts
			.computeIfAbsent(SnapshotDocument.partPath(SnapshotDocument.partOf(path)), (k) -> new TreeMap<>())
			.put(path, file));
		TreeMap<String, ProjectionStates.Stored> listed = new TreeMap<>();
		parts.forEach((path, listing) -> {
			byte[] expected = MirrorContent.json(document("files", listing));
			assertThat(written.parts().get(path).content()).as(path).isEqualTo(expected);
			listed.put(path, new ProjectionStates.Stored(Sha256Digest.of(expected).hex(), expected.length));
		});
		written.parts()
			.forEach((path, part) -> assertThat(part.content() != null).as(path).isEqualTo(parts.containsKey(path)));
		assertThat(written.root()).isEqualTo(MirrorContent.json(document("parts", listed)));
	}

	private static ProjectionStates.Stored stored(char digit, long size) {
		return new ProjectionStates.Stored(String.valueOf(digit).repeat(64), size);
	}

	/** A snapshot document as the mirror's JSON writer writes it whole. */
	private static Map<String, Object> document(String member, TreeMap<String, ProjectionStates.Stored> entries) {
		Map<String, Object> listed = new TreeMap<>();
		entries.forEach((path, file) -> {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("sha256", file.sha256());
			entry.put("size", file.size());
			listed.put(path, entry);
		});
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("format", 2);
		document.put(member, listed);
		return document;
	}

}
