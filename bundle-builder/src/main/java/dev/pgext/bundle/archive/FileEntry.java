package dev.pgext.bundle.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.pgext.model.Sha256Digest;

/**
 * One entry of a bundle, as {@code bundle.json} lists it.
 *
 * @param path the path relative to the bundle root, without a leading or trailing slash
 * @param type what the entry is
 * @param mode the permission bits in octal, such as {@code 0755}
 * @param size the size in bytes of a file, {@code null} otherwise
 * @param sha256 the content digest of a file, {@code null} otherwise
 * @param target the target of a symbolic link, {@code null} otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileEntry(String path, Type type, String mode, Long size, Sha256Digest sha256,
		String target) implements Comparable<FileEntry> {

	public static FileEntry file(String path, int mode, long size, Sha256Digest sha256) {
		return new FileEntry(path, Type.FILE, octal(mode), size, sha256, null);
	}

	public static FileEntry directory(String path, int mode) {
		return new FileEntry(path, Type.DIRECTORY, octal(mode), null, null, null);
	}

	public static FileEntry symlink(String path, String target) {
		return new FileEntry(path, Type.SYMLINK, octal(0777), null, null, target);
	}

	/** The permission bits as a number. */
	public int modeBits() {
		return Integer.parseInt(this.mode, 8);
	}

	@Override
	public int compareTo(FileEntry other) {
		return this.path.compareTo(other.path);
	}

	static String octal(int mode) {
		return String.format("%04o", mode & 07777);
	}

	/**
	 * The kind of a bundle entry.
	 */
	public enum Type {

		@JsonProperty("file")
		FILE,

		@JsonProperty("directory")
		DIRECTORY,

		@JsonProperty("symlink")
		SYMLINK

	}

}
