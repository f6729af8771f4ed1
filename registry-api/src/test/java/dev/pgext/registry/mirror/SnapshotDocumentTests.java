package dev.pgext.registry.mirror;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.pgext.registry.projection.ProjectionStates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SnapshotDocument}: the snapshot assembled from kept fragments has the
 * bytes the mirror's JSON writer gives the whole document, on the first write and after
 * files are added, changed and removed.
 */
class SnapshotDocumentTests {

	private final SnapshotDocument snapshot = new SnapshotDocument();

	@Test
	void anEmptyMirrorsSnapshotIsTheWritersEmptyDocument() {
		assertThat(this.snapshot.write(List.of())).isEqualTo(written(new TreeMap<>()));
	}

	@Test
	void theAssembledSnapshotEqualsTheWholeDocumentWrittenAtOnce() {
		TreeMap<String, ProjectionStates.Stored> files = new TreeMap<>();
		files.put("extensions/a.json", stored('a', 120));
		files.put("extensions/a/1.0.0.json", stored('b', 0));
		files.put("dist/odd \"name\"\\with\ttab/é.json", stored('c', 9_000_000_000L));
		files.put("index.json", stored('d', 7));
		assertThat(this.snapshot.write(entries(files))).isEqualTo(written(files));
	}

	@Test
	void filesAddedChangedAndRemovedAreListedAsAFreshWriteWouldListThem() {
		TreeMap<String, ProjectionStates.Stored> files = new TreeMap<>();
		for (int i = 0; i < 50; i++) {
			files.put("extensions/e" + i + ".json", stored((char) ('a' + i % 6), i));
		}
		this.snapshot.write(entries(files));
		files.put("extensions/e7.json", stored('f', 77));
		files.remove("extensions/e3.json");
		files.remove("extensions/e49.json");
		files.put("extensions/e10a.json", stored('e', 1));
		files.put("a-first.json", stored('e', 2));
		assertThat(this.snapshot.write(entries(files))).isEqualTo(written(files));
		// a file that comes back after it was gone is listed with its new digest
		files.put("extensions/e3.json", stored('0', 3));
		assertThat(this.snapshot.write(entries(files))).isEqualTo(written(files));
		files.clear();
		assertThat(this.snapshot.write(entries(files))).isEqualTo(written(files));
	}

	private static ProjectionStates.Stored stored(char digit, long size) {
		return new ProjectionStates.Stored(String.valueOf(digit).repeat(64), size);
	}

	private static List<Map.Entry<String, ProjectionStates.Stored>> entries(
			TreeMap<String, ProjectionStates.Stored> files) {
		return new ArrayList<>(files.entrySet());
	}

	/** The snapshot as the whole document written by the mirror's JSON writer. */
	private static byte[] written(TreeMap<String, ProjectionStates.Stored> files) {
		Map<String, Object> listed = new TreeMap<>();
		files.forEach((path, file) -> {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("sha256", file.sha256());
			entry.put("size", file.size());
			listed.put(path, entry);
		});
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("format", 1);
		document.put("files", listed);
		return MirrorContent.json(document);
	}

}
