package dev.pgext.bundle.archive;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import dev.pgext.model.place.FileTrees;

/**
 * The bundle archive: a POSIX tar compressed with zstd. Writing is reproducible: entries
 * sorted by path, every mtime the build's {@code SOURCE_DATE_EPOCH}, uid and gid 0 with
 * empty owner names, modes from the manifest, and single-threaded zstd at a fixed level
 * with no timestamp in the frame. Extracting never follows a link and refuses entries
 * that would land outside the target directory.
 */
public final class BundleArchive {

	/** The zstd window (log2 of bytes) of bundle archives. */
	public static final int WINDOW_LOG = 27;

	/** The file name of a bundle with digest {@code hex}, as the design names it. */
	public static String fileName(String hex) {
		return "pg-bundle-" + hex + ".tar.zst";
	}

	private BundleArchive() {
	}

	/**
	 * Writes the tree under {@code root} as listed by {@code entries} (sorted here) to
	 * {@code out}. The caller closes {@code out}.
	 */
	public static void write(Path root, List<FileEntry> entries, long sourceDateEpoch, int level, OutputStream out)
			throws IOException {
		List<FileEntry> sorted = new ArrayList<>(entries);
		sorted.sort(null);
		ZstdOutputStream zstd = new ZstdOutputStream(new BufferedOutputStream(out, 1 << 16), level);
		zstd.setChecksum(true);
		zstd.setWorkers(0);
		// a 128 MiB window finds the files each major repeats (ICU data, libxml2, the
		// timezone
		// database) across the whole archive; 2^27 is the largest window decoders accept
		// by default
		zstd.setLong(WINDOW_LOG);
		TarArchiveOutputStream tar = new TarArchiveOutputStream(zstd);
		tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
		tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
		FileTime mtime = FileTime.fromMillis(sourceDateEpoch * 1000);
		for (FileEntry entry : sorted) {
			TarArchiveEntry tarEntry = switch (entry.type()) {
				case DIRECTORY -> new TarArchiveEntry(entry.path() + "/", TarConstants.LF_DIR);
				case SYMLINK -> {
					TarArchiveEntry link = new TarArchiveEntry(entry.path(), TarConstants.LF_SYMLINK);
					link.setLinkName(entry.target());
					yield link;
				}
				case FILE -> {
					TarArchiveEntry file = new TarArchiveEntry(entry.path(), TarConstants.LF_NORMAL);
					file.setSize(entry.size());
					yield file;
				}
			};
			int typeBits = switch (entry.type()) {
				case DIRECTORY -> TarArchiveEntry.DEFAULT_DIR_MODE & ~07777;
				case SYMLINK -> 0120000;
				case FILE -> TarArchiveEntry.DEFAULT_FILE_MODE & ~07777;
			};
			tarEntry.setMode(typeBits | entry.modeBits());
			tarEntry.setLastModifiedTime(mtime);
			tarEntry.setIds(0, 0);
			tarEntry.setUserName("");
			tarEntry.setGroupName("");
			tar.putArchiveEntry(tarEntry);
			if (entry.type() == FileEntry.Type.FILE) {
				Path file = root.resolve(entry.path());
				if (Files.size(file) != entry.size()) {
					throw new BundleFormatException(entry.path() + " changed while the bundle was written");
				}
				Files.copy(file, tar);
			}
			tar.closeArchiveEntry();
		}
		tar.finish();
		zstd.close();
	}

	/**
	 * Extracts a bundle into {@code into}, which must not exist yet or be empty. No step
	 * follows a symbolic link: links are created last, after every file and directory,
	 * and an entry whose parent path names a link of the archive is refused, so nothing
	 * is ever written, created or chmod-ed through a link. Refused too: absolute paths,
	 * empty, {@code .} and {@code ..} segments, duplicate paths, link targets that are
	 * absolute, climb out of the bundle or pass through another link, hard links,
	 * devices, FIFOs and any other entry type. On refusal everything extracted so far is
	 * removed again ({@code into} too, when this call created it).
	 */
	public static void extract(InputStream bundle, Path into) throws IOException {
		boolean created = !Files.exists(into, LinkOption.NOFOLLOW_LINKS);
		Files.createDirectories(into);
		try (var existing = Files.list(into)) {
			if (existing.findAny().isPresent()) {
				throw new FileAlreadyExistsException(into.toString(), null, "not empty");
			}
		}
		Path root = into.toRealPath();
		try {
			new Extraction(root).run(bundle);
		}
		catch (IOException | RuntimeException ex) {
			removeContent(root, created);
			if (ex instanceof BundleFormatException || ex instanceof RuntimeException) {
				throw ex;
			}
			throw new BundleFormatException("the bundle is not a readable tar.zst archive: " + ex.getMessage());
		}
	}

	/**
	 * Removes what an extraction made under {@code root}, and {@code root} itself when
	 * asked; a link of the archive is removed, never followed to its target.
	 */
	private static void removeContent(Path root, boolean removeRoot) throws IOException {
		if (removeRoot) {
			FileTrees.delete(root);
			return;
		}
		try (var entries = Files.list(root)) {
			for (Path entry : entries.toList()) {
				FileTrees.delete(entry);
			}
		}
	}

	/**
	 * One extraction: directories and files are created as they come, each under a parent
	 * that was checked to be a real directory of the tree; links are recorded and created
	 * at the end.
	 */
	private static final class Extraction {

		private final Path root;

		private final Set<String> seen = new HashSet<>();

		/** Every proper ancestor of every entry: none of them may be a link. */
		private final Set<String> ancestors = new HashSet<>();

		private final Map<String, String> links = new TreeMap<>();

		private final List<Path> directories = new ArrayList<>();

		private final List<Integer> directoryModes = new ArrayList<>();

		Extraction(Path root) {
			this.root = root;
		}

		void run(InputStream bundle) throws IOException {
			try (TarArchiveInputStream tar = new TarArchiveInputStream(
					new ZstdInputStream(new BufferedInputStream(bundle, 1 << 16)))) {
				TarArchiveEntry entry;
				while ((entry = tar.getNextEntry()) != null) {
					String name = checkName(entry.getName());
					if (!this.seen.add(name)) {
						throw new BundleFormatException("archive entry " + name + " appears twice");
					}
					checkAncestors(name);
					int mode = entry.getMode() & 07777;
					switch (entry.getLinkFlag()) {
						case TarConstants.LF_DIR -> {
							Path dir = parentOf(name).resolve(Path.of(name).getFileName().toString());
							// a file entry before it may have created it already, as a
							// real directory
							if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
								Files.createDirectory(dir);
							}
							this.directories.add(dir);
							this.directoryModes.add(mode);
						}
						case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM -> {
							if (entry.getName().endsWith("/")) {
								throw new BundleFormatException(
										"archive entry " + entry.getName() + " is a file with a directory's name");
							}
							Path file = parentOf(name).resolve(Path.of(name).getFileName().toString());
							// CREATE_NEW fails on anything already there, a link
							// included, without following it
							try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
									StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
								tar.transferTo(out);
							}
							Files.setAttribute(file, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
						}
						case TarConstants.LF_SYMLINK -> {
							if (this.ancestors.contains(name)) {
								throw new BundleFormatException("archive entry " + name
										+ " is a symbolic link, but other entries lie under it");
							}
							this.links.put(name, entry.getLinkName());
						}
						case TarConstants.LF_LINK -> throw new BundleFormatException("archive entry " + name
								+ " is a hard link (to " + entry.getLinkName() + "): bundles hold none");
						case TarConstants.LF_CHR, TarConstants.LF_BLK, TarConstants.LF_FIFO ->
							throw new BundleFormatException(
									"archive entry " + name + " is a device or FIFO: bundles hold none");
						default -> throw new BundleFormatException("archive entry " + name + " has tar type '"
								+ (char) entry.getLinkFlag() + "', not a file, directory or symbolic link");
					}
				}
			}
			for (Map.Entry<String, String> link : this.links.entrySet()) {
				checkLinkTarget(link.getKey(), link.getValue());
			}
			for (Map.Entry<String, String> link : this.links.entrySet()) {
				Path parent = parentOf(link.getKey());
				Files.createSymbolicLink(parent.resolve(Path.of(link.getKey()).getFileName().toString()),
						Path.of(link.getValue()));
			}
			// last, so that a read-only directory does not stop its own content from
			// being written
			for (int i = this.directories.size() - 1; i >= 0; i--) {
				Files.setAttribute(this.directories.get(i), "unix:mode", this.directoryModes.get(i),
						LinkOption.NOFOLLOW_LINKS);
			}
		}

		private void checkAncestors(String name) throws BundleFormatException {
			int slash = name.indexOf('/');
			while (slash >= 0) {
				String ancestor = name.substring(0, slash);
				if (this.links.containsKey(ancestor)) {
					throw new BundleFormatException(
							"archive entry " + name + " lies under the symbolic link " + ancestor + " of the archive");
				}
				this.ancestors.add(ancestor);
				slash = name.indexOf('/', slash + 1);
			}
		}

		/**
		 * The parent directory of an entry, created one level at a time where missing,
		 * each level checked to be a real directory (not a link) of the tree.
		 */
		private Path parentOf(String name) throws IOException {
			Path dir = this.root;
			String[] segments = name.split("/");
			for (int i = 0; i < segments.length - 1; i++) {
				dir = dir.resolve(segments[i]);
				if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
					Files.createDirectory(dir);
				}
				else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
					throw new BundleFormatException("archive entry " + name + " lies under " + this.root.relativize(dir)
							+ ", which is not a directory");
				}
			}
			return dir;
		}

		/**
		 * A link target must be relative and stay inside the bundle when resolved from
		 * the link's directory, without passing through another link: a lexical check is
		 * only sound when every directory it walks through is a real one.
		 */
		private void checkLinkTarget(String name, String target) throws BundleFormatException {
			if (target.isEmpty() || target.startsWith("/") || target.indexOf('\0') >= 0) {
				throw new BundleFormatException("archive entry " + name + " links outside the bundle: " + target
						+ " (an empty or absolute target)");
			}
			List<String> at = new ArrayList<>(List.of(name.split("/")));
			at.remove(at.size() - 1);
			String[] segments = target.split("/");
			for (int i = 0; i < segments.length; i++) {
				String segment = segments[i];
				if (segment.isEmpty() || segment.equals(".")) {
					continue;
				}
				if (segment.equals("..")) {
					if (at.isEmpty()) {
						throw new BundleFormatException(
								"archive entry " + name + " links outside the bundle: " + target);
					}
					at.remove(at.size() - 1);
					continue;
				}
				at.add(segment);
				boolean last = i == segments.length - 1;
				if (!last && this.links.containsKey(String.join("/", at))) {
					throw new BundleFormatException("archive entry " + name + " links through the symbolic link "
							+ String.join("/", at) + ": " + target);
				}
			}
		}

	}

	/**
	 * Reads {@code bundle.json} from an archive without extracting the rest.
	 */
	public static BundleManifest readManifest(Path bundle) throws IOException {
		try (TarArchiveInputStream tar = new TarArchiveInputStream(
				new ZstdInputStream(new BufferedInputStream(Files.newInputStream(bundle), 1 << 16)))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				if (entry.isFile() && BundleManifest.PATH.equals(entry.getName())) {
					return BundleJson.readManifest(tar);
				}
			}
		}
		catch (BundleFormatException ex) {
			throw ex;
		}
		catch (IOException ex) {
			throw new BundleFormatException(bundle + " is not a readable tar.zst archive: " + ex.getMessage());
		}
		throw new BundleFormatException(bundle + " holds no " + BundleManifest.PATH);
	}

	/**
	 * The content of the regular file {@code name} of an archive, without extracting the
	 * rest; empty when the archive holds no such file.
	 */
	public static Optional<byte[]> readFile(Path bundle, String name) throws IOException {
		try (TarArchiveInputStream tar = new TarArchiveInputStream(
				new ZstdInputStream(new BufferedInputStream(Files.newInputStream(bundle), 1 << 16)))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				if (entry.isFile() && name.equals(entry.getName())) {
					return Optional.of(tar.readAllBytes());
				}
			}
		}
		catch (IOException ex) {
			throw new BundleFormatException(bundle + " is not a readable tar.zst archive: " + ex.getMessage());
		}
		return Optional.empty();
	}

	private static String checkName(String raw) throws BundleFormatException {
		String name = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
		if (name.isEmpty() || name.startsWith("/") || name.indexOf('\0') >= 0) {
			throw new BundleFormatException("archive entry '" + raw + "' has an empty or absolute path");
		}
		for (String segment : name.split("/", -1)) {
			if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
				throw new BundleFormatException("archive entry '" + raw + "' has an empty, '.' or '..' segment");
			}
		}
		return name;
	}

}
