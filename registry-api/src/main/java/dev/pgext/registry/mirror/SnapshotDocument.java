package dev.pgext.registry.mirror;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import tools.jackson.core.io.JsonStringEncoder;

import dev.pgext.model.Sha256Digest;
import dev.pgext.registry.projection.ProjectionStates;

/**
 * Writes the mirror's snapshot: {@code snapshot.json}, a small root document naming
 * {@value #PARTS} part documents at most ({@code snapshot/<00-ff>.json}) by sha256 and
 * size, and the parts, each listing the files whose path falls into it with their sha256
 * and size. A file's part follows from its path alone ({@link #partOf}), so a change of a
 * few files rewrites the few parts that list them and the root, never the listing of the
 * whole mirror: the snapshot of a large mirror has tens of thousands of entries.
 * <p>
 * The instance keeps the listing in memory with the outbox event it reflects
 * ({@link #watermark()}): a run that continues from that event applies its changes
 * ({@link #update}); any other run lists every file again ({@link #reset}). Every
 * document has the bytes of the indented JSON the mirror's other documents are written
 * with ({@code MirrorContent.json}), members in the order shown, keys in order
 * ({@code SnapshotDocumentTests} compares the two): {@code {"format": 2, "parts": {<part
 * path>: {"sha256": ..., "size": ...}}}} and {@code {"format": 2, "files": {<path>:
 * {"sha256": ..., "size": ...}}}}. An empty part is neither listed nor written.
 * <p>
 * Used by the one mirror run at a time (the target's lock).
 */
class SnapshotDocument {

	/** How many parts the listing is split into. */
	static final int PARTS = 256;

	/** The directory of the parts, relative to the mirror. */
	static final String PART_DIRECTORY = "snapshot/";

	private static final byte[] FILES_HEAD = "{\n  \"format\" : 2,\n  \"files\" : {".getBytes(StandardCharsets.UTF_8);

	private static final byte[] PARTS_HEAD = "{\n  \"format\" : 2,\n  \"parts\" : {".getBytes(StandardCharsets.UTF_8);

	private static final byte[] EMPTY = " }\n}".getBytes(StandardCharsets.UTF_8);

	private static final byte[] TAIL = "\n  }\n}".getBytes(StandardCharsets.UTF_8);

	/**
	 * One written part.
	 *
	 * @param content its bytes, or {@code null} when it lists nothing (and is not
	 * written)
	 * @param sha256 their digest, or {@code null}
	 */
	record Part(byte[] content, Sha256Digest sha256) {
	}

	/**
	 * What one write produced.
	 *
	 * @param parts the parts that changed (all of them after a {@link #reset}), by path
	 * relative to the mirror
	 * @param root the root document
	 */
	record Written(Map<String, Part> parts, byte[] root) {
	}

	@SuppressWarnings("unchecked")
	private final TreeMap<String, ProjectionStates.Stored>[] listing = new TreeMap[PARTS];

	private final ProjectionStates.Stored[] written = new ProjectionStates.Stored[PARTS];

	private long watermark = -1;

	SnapshotDocument() {
		for (int i = 0; i < PARTS; i++) {
			this.listing[i] = new TreeMap<>();
		}
	}

	/** The outbox event the listing reflects, {@code -1} when it reflects none. */
	synchronized long watermark() {
		return this.watermark;
	}

	/** Records that the listing now reflects outbox event {@code watermark}. */
	synchronized void watermark(long watermark) {
		this.watermark = watermark;
	}

	/** How many files the listing holds. */
	synchronized int size() {
		int size = 0;
		for (TreeMap<String, ProjectionStates.Stored> part : this.listing) {
			size += part.size();
		}
		return size;
	}

	/**
	 * Lists exactly {@code files} (paths relative to the mirror, each once) and writes
	 * every part.
	 */
	synchronized Written reset(Iterable<Map.Entry<String, ProjectionStates.Stored>> files) {
		this.watermark = -1;
		for (int i = 0; i < PARTS; i++) {
			this.listing[i].clear();
			this.written[i] = null;
		}
		files.forEach((file) -> this.listing[partOf(file.getKey())].put(file.getKey(), file.getValue()));
		Collection<Integer> all = new TreeSet<>();
		for (int i = 0; i < PARTS; i++) {
			all.add(i);
		}
		return write(all);
	}

	/**
	 * Removes {@code removed} from the listing, lists {@code files} as given, and writes
	 * the parts that changed.
	 */
	synchronized Written update(Collection<String> removed, Map<String, ProjectionStates.Stored> files) {
		Collection<Integer> changed = new TreeSet<>();
		for (String path : removed) {
			int part = partOf(path);
			if (this.listing[part].remove(path) != null) {
				changed.add(part);
			}
		}
		files.forEach((path, file) -> {
			int part = partOf(path);
			if (!file.equals(this.listing[part].put(path, file))) {
				changed.add(part);
			}
		});
		return write(changed);
	}

	private Written write(Collection<Integer> changed) {
		Map<String, Part> parts = new TreeMap<>();
		for (int part : changed) {
			TreeMap<String, ProjectionStates.Stored> files = this.listing[part];
			if (files.isEmpty()) {
				this.written[part] = null;
				parts.put(partPath(part), new Part(null, null));
				continue;
			}
			byte[] content = document(FILES_HEAD, files);
			Sha256Digest sha256 = Sha256Digest.of(content);
			this.written[part] = new ProjectionStates.Stored(sha256.hex(), content.length);
			parts.put(partPath(part), new Part(content, sha256));
		}
		TreeMap<String, ProjectionStates.Stored> listed = new TreeMap<>();
		for (int i = 0; i < PARTS; i++) {
			if (this.written[i] != null) {
				listed.put(partPath(i), this.written[i]);
			}
		}
		return new Written(parts, document(PARTS_HEAD, listed));
	}

	/**
	 * The part a file's entry is listed in: a function of its path alone (the
	 * {@link String#hashCode} the Java language specifies, its bits mixed by
	 * MurmurHash3's finalizer so that paths differing in a digit spread over the parts),
	 * so every instance puts it in the same one.
	 */
	static int partOf(String path) {
		int hash = path.hashCode();
		hash ^= hash >>> 16;
		hash *= 0x85ebca6b;
		hash ^= hash >>> 13;
		hash *= 0xc2b2ae35;
		hash ^= hash >>> 16;
		return Math.floorMod(hash, PARTS);
	}

	/** A part's path relative to the mirror. */
	static String partPath(int part) {
		return PART_DIRECTORY + String.format("%02x", part) + ".json";
	}

	private static byte[] document(byte[] head, TreeMap<String, ProjectionStates.Stored> entries) {
		StringBuilder out = new StringBuilder(head.length + entries.size() * 160 + TAIL.length);
		out.append(new String(head, StandardCharsets.UTF_8));
		boolean first = true;
		for (Map.Entry<String, ProjectionStates.Stored> entry : entries.entrySet()) {
			if (!first) {
				out.append(',');
			}
			out.append("\n    \"");
			JsonStringEncoder.getInstance().quoteAsString(entry.getKey(), out);
			out.append("\" : {\n      \"sha256\" : \"");
			JsonStringEncoder.getInstance().quoteAsString(entry.getValue().sha256(), out);
			out.append("\",\n      \"size\" : ").append(entry.getValue().size()).append("\n    }");
			first = false;
		}
		out.append(new String(first ? EMPTY : TAIL, StandardCharsets.UTF_8));
		return out.toString().getBytes(StandardCharsets.UTF_8);
	}

}
