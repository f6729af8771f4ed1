package dev.pgext.registry.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.springframework.stereotype.Component;

import dev.pgext.model.Sha256Digest;

/**
 * What is known of public files, so that downloading one needs no database work and, for
 * a small one, no store request either. A digest held by a public release stays public
 * (releases are never deleted, a yanked one stays downloadable by its files, and content
 * with the same digest is the same bytes), so an entry never goes stale; it is shared by
 * every caller because a public file is readable by anyone. Private files are never kept.
 * Both caches are bounded (least recently used go first).
 */
@Component
class PublicFiles {

	static final int MAX_SIZES = 200_000;

	private final Cache<String, Long> sizes = Caffeine.newBuilder().maximumSize(MAX_SIZES).build();

	private final Cache<String, byte[]> contents;

	private final long maxFileSize;

	PublicFiles(DownloadProperties properties) {
		this.maxFileSize = properties.memoryMaxFileSize().toBytes();
		this.contents = Caffeine.newBuilder()
			.maximumWeight(properties.memoryCacheSize().toBytes())
			.weigher((String key, byte[] value) -> value.length)
			.build();
	}

	OptionalLong size(Sha256Digest digest) {
		Long size = this.sizes.getIfPresent(digest.hex());
		return (size != null) ? OptionalLong.of(size) : OptionalLong.empty();
	}

	void remember(Sha256Digest digest, long size) {
		this.sizes.put(digest.hex(), size);
	}

	/** The bytes of a public file small enough to keep, if they are kept. */
	Optional<byte[]> content(Sha256Digest digest) {
		return Optional.ofNullable(this.contents.getIfPresent(digest.hex()));
	}

	/** Whether a public file of {@code size} bytes is kept in memory once read. */
	boolean keeps(long size) {
		return size <= this.maxFileSize;
	}

	/**
	 * Reads a small public file from {@code in}, checks it against its digest and keeps
	 * it.
	 * @throws IllegalStateException when the store's bytes do not match the digest
	 */
	byte[] read(Sha256Digest digest, long size, InputStream in) {
		try (in) {
			byte[] bytes = in.readNBytes((int) size + 1);
			if (bytes.length != size || !Sha256Digest.of(bytes).equals(digest)) {
				throw new IllegalStateException(
						"the store's content of " + digest.hex() + " does not match its digest");
			}
			this.contents.put(digest.hex(), bytes);
			return bytes;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
