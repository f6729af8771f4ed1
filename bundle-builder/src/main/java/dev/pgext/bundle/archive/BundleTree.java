package dev.pgext.bundle.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.pgext.model.Sha256Digest;

/**
 * A bundle as a directory tree: listing it the way {@code bundle.json} does, and checking
 * a tree against a manifest.
 */
public final class BundleTree {

	private BundleTree() {
	}

	/**
	 * Every directory, file and symbolic link under {@code root} (the root itself
	 * excluded), sorted by path, with on-disk modes and content digests.
	 */
	public static List<FileEntry> scan(Path root) throws IOException {
		List<FileEntry> entries = new ArrayList<>();
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.filter((p) -> !p.equals(root)).toList()) {
				entries.add(entry(root, path));
			}
		}
		entries.sort(null);
		return entries;
	}

	/** The manifest entry of one path under {@code root}. */
	public static FileEntry entry(Path root, Path path) throws IOException {
		String relative = relative(root, path);
		if (Files.isSymbolicLink(path)) {
			return FileEntry.symlink(relative, Files.readSymbolicLink(path).toString());
		}
		int mode = mode(path);
		if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
			return FileEntry.directory(relative, mode);
		}
		if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
			return FileEntry.file(relative, mode, Files.size(path), Sha256Digest.of(path));
		}
		throw new BundleFormatException(relative + " is neither a file, a directory nor a symbolic link");
	}

	/**
	 * What is wrong with the tree under {@code root} compared to {@code manifest}:
	 * missing entries, other types, modes, sizes, digests or link targets, and entries
	 * the manifest does not list. Empty when the tree is exactly what the manifest says.
	 */
	public static List<String> problems(Path root, BundleManifest manifest) throws IOException {
		List<String> problems = new ArrayList<>();
		Map<String, FileEntry> expected = new HashMap<>();
		for (FileEntry entry : manifest.files()) {
			expected.put(entry.path(), entry);
		}
		Map<String, Path> actual = new HashMap<>();
		try (Stream<Path> paths = Files.walk(root)) {
			paths.filter((p) -> !p.equals(root)).forEach((p) -> actual.put(relative(root, p), p));
		}
		for (FileEntry want : manifest.files()) {
			Path path = actual.get(want.path());
			if (path == null) {
				problems.add("missing: " + want.path());
				continue;
			}
			FileEntry have = entry(root, path);
			if (have.type() != want.type()) {
				problems.add("not a " + want.type().name().toLowerCase(java.util.Locale.ROOT) + ": " + want.path());
			}
			else if (want.type() == FileEntry.Type.SYMLINK) {
				if (!have.target().equals(want.target())) {
					problems.add("link target differs: " + want.path() + " -> " + have.target() + ", expected "
							+ want.target());
				}
			}
			else if (!have.mode().equals(want.mode())) {
				problems.add("mode differs: " + want.path() + " is " + have.mode() + ", expected " + want.mode());
			}
			else if (want.type() == FileEntry.Type.FILE
					&& !(have.size().equals(want.size()) && have.sha256().equals(want.sha256()))) {
				problems.add("content differs: " + want.path() + " has sha256 " + have.sha256() + ", expected "
						+ want.sha256());
			}
		}
		for (String path : actual.keySet().stream().sorted().toList()) {
			if (!expected.containsKey(path) && !path.equals(BundleManifest.PATH)) {
				problems.add("not in " + BundleManifest.PATH + ": " + path);
			}
		}
		return problems;
	}

	/**
	 * A digest of a directory tree: of its sorted listing of paths, types, modes, link
	 * targets and content digests. Identifies a directory input the way a file digest
	 * identifies a jar.
	 */
	public static Sha256Digest digest(Path root) throws IOException {
		MessageDigest md = Sha256Digest.newDigest();
		for (FileEntry entry : scan(root)) {
			String line = entry.path() + "\t" + entry.type() + "\t" + entry.mode() + "\t"
					+ ((entry.sha256() != null) ? entry.sha256() : "") + "\t"
					+ ((entry.target() != null) ? entry.target() : "") + "\n";
			md.update(line.getBytes(StandardCharsets.UTF_8));
		}
		return Sha256Digest.fromDigest(md);
	}

	/** The permission bits of a path, symbolic links not followed. */
	public static int mode(Path path) throws IOException {
		return ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
	}

	private static String relative(Path root, Path path) {
		return root.relativize(path).toString();
	}

}
