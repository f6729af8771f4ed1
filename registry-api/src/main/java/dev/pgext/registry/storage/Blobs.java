package dev.pgext.registry.storage;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;

/**
 * The content-addressed blobs ({@code blobs/sha256/<hex>}) and the ETag the store gave
 * each one. A blob is written once, before the catalog transaction that names it commits;
 * one that no committed release names is harmless.
 */
@Component
public class Blobs {

	private final JdbcClient jdbc;

	private final ObjectStore store;

	Blobs(JdbcClient jdbc, ObjectStore store) {
		this.jdbc = jdbc;
		this.store = store;
	}

	/**
	 * Stores {@code content} as the blob {@code digest} unless it is there already, and
	 * records its ETag in the caller's transaction.
	 */
	public void store(Sha256Digest digest, Path content, long size, String contentType) {
		String key = StoreLayout.blob(digest);
		String etag = this.store.putIfAbsent(key, content, contentType)
			.orElseGet(() -> this.store.head(key)
				.map(ObjectInfo::etag)
				.orElseThrow(() -> new IllegalStateException("blob " + key + " vanished right after its write")));
		record(digest, size, etag);
	}

	/**
	 * The ETag of each of {@code digests}; a blob the table does not know yet is looked
	 * up in the store and recorded.
	 * @throws IllegalStateException when a blob is not in the store
	 */
	public Map<Sha256Digest, String> etags(Collection<Sha256Digest> digests) {
		Map<Sha256Digest, String> etags = new HashMap<>();
		if (digests.isEmpty()) {
			return etags;
		}
		this.jdbc.sql("select sha256, etag from blob where sha256 = any(?)")
			.param(digests.stream().map(Sha256Digest::hex).distinct().toArray(String[]::new))
			.query((rs) -> {
				etags.put(new Sha256Digest(rs.getString(1)), rs.getString(2));
			});
		for (Sha256Digest digest : digests) {
			if (!etags.containsKey(digest)) {
				ObjectInfo info = this.store.head(StoreLayout.blob(digest))
					.orElseThrow(() -> new IllegalStateException(
							"the catalog names blob " + digest.hex() + " but the store does not hold it"));
				record(digest, info.size(), info.etag());
				etags.put(digest, info.etag());
			}
		}
		return etags;
	}

	/**
	 * The content type an installation file ({@code share/...}, {@code lib/...}) is
	 * stored with.
	 */
	public static String contentType(String path) {
		return (path.endsWith(".sql") || path.endsWith(".control")) ? "text/plain; charset=utf-8"
				: "application/octet-stream";
	}

	private void record(Sha256Digest digest, long size, String etag) {
		this.jdbc.sql("insert into blob (sha256, size, etag) values (?, ?, ?) on conflict (sha256) do nothing")
			.params(digest.hex(), size, etag)
			.update();
	}

}
