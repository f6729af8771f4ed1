package dev.pgext.registry.catalog;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.pgext.model.Sha256Digest;

/**
 * The sizes of files known to be public, so that downloading one needs no database work.
 * A digest held by a public release stays public (releases are never deleted, a yanked one
 * stays downloadable by its files, and content with the same digest is the same bytes), so
 * an entry never goes stale; it is shared by every caller because a public file is readable
 * by anyone. Private files are always looked up. Bounded: when full, it starts again.
 */
@Component
class PublicFiles {

	static final int MAX_ENTRIES = 200_000;

	private final Map<String, Long> sizes = new ConcurrentHashMap<>();

	OptionalLong size(Sha256Digest digest) {
		Long size = this.sizes.get(digest.hex());
		return (size != null) ? OptionalLong.of(size) : OptionalLong.empty();
	}

	void remember(Sha256Digest digest, long size) {
		if (this.sizes.size() >= MAX_ENTRIES) {
			this.sizes.clear();
		}
		this.sizes.put(digest.hex(), size);
	}

}
