package dev.pgext.registry.mirror;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.io.JsonStringEncoder;

import dev.pgext.registry.projection.ProjectionStates;

/**
 * Writes {@code snapshot.json}, which lists every file of the mirror, from stored
 * per-file fragments. The snapshot of a large mirror has tens of thousands of entries and
 * changes in a few of them per publish, so each entry's bytes are kept, keyed by path and
 * checked against its digest and size, and the document is their concatenation: only the
 * entries of files that changed are formatted again. The bytes are those of the indented
 * JSON the mirror's other documents are written with ({@code MirrorContent.json}) for
 * {@code {"format": 1, "files": {<path>: {"sha256": ..., "size": ...}}}} with the paths
 * in order; {@code SnapshotDocumentTests} compares the two.
 * <p>
 * Used by the one mirror run at a time (the target's lock), so it is not synchronized
 * beyond that.
 */
class SnapshotDocument {

	private static final byte[] HEAD = "{\n  \"format\" : 1,\n  \"files\" : {".getBytes(StandardCharsets.UTF_8);

	private static final byte[] EMPTY = " }\n}".getBytes(StandardCharsets.UTF_8);

	private static final byte[] TAIL = "\n  }\n}".getBytes(StandardCharsets.UTF_8);

	private record Fragment(ProjectionStates.Stored file, byte[] bytes) {
	}

	private final Map<String, Fragment> fragments = new HashMap<>();

	/**
	 * The snapshot listing {@code files}: paths relative to the mirror, in path order,
	 * each once.
	 */
	synchronized byte[] write(List<Map.Entry<String, ProjectionStates.Stored>> files) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(HEAD.length + files.size() * 160 + TAIL.length);
		out.writeBytes(HEAD);
		boolean first = true;
		for (Map.Entry<String, ProjectionStates.Stored> file : files) {
			Fragment fragment = this.fragments.get(file.getKey());
			if (fragment == null || !fragment.file().equals(file.getValue())) {
				fragment = new Fragment(file.getValue(), fragment(file.getKey(), file.getValue()));
				this.fragments.put(file.getKey(), fragment);
			}
			if (!first) {
				out.write(',');
			}
			out.writeBytes(fragment.bytes());
			first = false;
		}
		out.writeBytes(first ? EMPTY : TAIL);
		if (this.fragments.size() != files.size()) {
			// entries of files that are gone are not kept
			Set<String> paths = new HashSet<>(files.size() * 4 / 3 + 1);
			files.forEach((file) -> paths.add(file.getKey()));
			this.fragments.keySet().retainAll(paths);
		}
		return out.toByteArray();
	}

	private static byte[] fragment(String path, ProjectionStates.Stored file) {
		StringBuilder entry = new StringBuilder(path.length() + 120);
		entry.append("\n    \"");
		JsonStringEncoder.getInstance().quoteAsString(path, entry);
		entry.append("\" : {\n      \"sha256\" : \"");
		JsonStringEncoder.getInstance().quoteAsString(file.sha256(), entry);
		entry.append("\",\n      \"size\" : ").append(file.size()).append("\n    }");
		return entry.toString().getBytes(StandardCharsets.UTF_8);
	}

}
