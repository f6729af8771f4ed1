package dev.pgext.registry.publish;

import java.nio.file.Path;

import dev.pgext.model.Sha256Digest;

/**
 * One regular file taken out of an uploaded artifact.
 *
 * @param path the installation path, {@code share/...} or {@code lib/...}
 * @param content where its bytes were extracted to
 * @param sha256 digest of the bytes
 * @param size size in bytes
 */
record ArtifactFile(String path, Path content, Sha256Digest sha256, long size) {

	String fileName() {
		return this.path.substring(this.path.lastIndexOf('/') + 1);
	}

	String directory() {
		int slash = this.path.lastIndexOf('/');
		return (slash >= 0) ? this.path.substring(0, slash) : "";
	}

}
