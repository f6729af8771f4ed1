package dev.pgext.importer.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.pgext.model.store.ObjectStore;

/**
 * Reads and conditionally writes {@code index_part.json} documents in the storage bucket.
 */
final class IndexPartStore {

	/** A document far larger than any real one is refused before it is parsed. */
	private static final int MAX_SIZE = 64 * 1024 * 1024;

	private final ObjectStore store;

	private final S3Reads reads;

	IndexPartStore(ObjectStore store, S3Reads reads) {
		this.store = store;
		this.reads = reads;
	}

	/**
	 * A document and the ETag it was read with.
	 *
	 * @param part the document
	 * @param etag its ETag
	 */
	record Versioned(IndexPart part, String etag) {

	}

	Optional<Versioned> read(ImportId id) {
		return readKey(ImportLayout.indexPart(id));
	}

	Optional<Versioned> readKey(String key) {
		return this.reads.get(this.store.bucket(), key, null, null, MAX_SIZE)
			.found()
			.map((f) -> new Versioned(IndexPart.fromJson(f.bytes()), f.etag()));
	}

	/** Writes a new document; empty when one exists already. */
	Optional<Versioned> create(IndexPart part) {
		return this.store.putIfAbsent(ImportLayout.indexPart(part.id()), part.toJson(), "application/json")
			.map((etag) -> new Versioned(part, etag));
	}

	/** Replaces the document read with {@code etag}; empty when it changed since. */
	Optional<Versioned> replace(Versioned current, IndexPart part) {
		return this.store
			.putIfMatch(ImportLayout.indexPart(part.id()), current.etag(), part.toJson(), "application/json")
			.map((etag) -> new Versioned(part, etag));
	}

	/** Keys of every {@code index_part.json} in the bucket. */
	List<String> listKeys() {
		List<String> keys = new ArrayList<>();
		this.store.list(ImportLayout.TENANTS, (info) -> {
			if (info.key().endsWith("/" + ImportLayout.INDEX_PART)) {
				keys.add(info.key());
			}
		});
		return keys;
	}

}
