package dev.pgext.model.index;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;

/**
 * One file of an extension, relative to the Postgres installation.
 *
 * @param path {@code share/extension/...}, {@code share/...} or {@code lib/...}
 * @param sha256 digest of the content; the content lives at {@code blobs/sha256/<hex>}
 * @param size size in bytes
 */
public record ExtFile(String path, Sha256Digest sha256, long size) implements Comparable<ExtFile> {

	public ExtFile {
		StoreLayout.checkInstallPath(path);
		if (sha256 == null) {
			throw new IllegalArgumentException("file " + path + " has no sha256");
		}
		if (size < 0) {
			throw new IllegalArgumentException("file " + path + " has a negative size");
		}
	}

	/** The last path segment, such as {@code hstore.so}. */
	public String fileName() {
		return this.path.substring(this.path.lastIndexOf('/') + 1);
	}

	public boolean isLibrary() {
		return this.path.startsWith("lib/");
	}

	@Override
	public int compareTo(ExtFile other) {
		return this.path.compareTo(other.path);
	}

}
