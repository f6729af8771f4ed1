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
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The bundle archive: a POSIX tar compressed with zstd. Writing is reproducible: entries sorted by
 * path, every mtime the build's {@code SOURCE_DATE_EPOCH}, uid and gid 0 with empty owner names,
 * modes from the manifest, and single-threaded zstd at a fixed level with no timestamp in the
 * frame. Extracting refuses entries that would land outside the target directory.
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
	 * Writes the tree under {@code root} as listed by {@code entries} (sorted here) to {@code out}.
	 * The caller closes {@code out}.
	 */
	public static void write(Path root, List<FileEntry> entries, long sourceDateEpoch, int level, OutputStream out)
			throws IOException {
		List<FileEntry> sorted = new ArrayList<>(entries);
		sorted.sort(null);
		ZstdOutputStream zstd = new ZstdOutputStream(new BufferedOutputStream(out, 1 << 16), level);
		zstd.setChecksum(true);
		zstd.setWorkers(0);
		// a 128 MiB window finds the files each major repeats (ICU data, libxml2, the timezone
		// database) across the whole archive; 2^27 is the largest window decoders accept by default
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
	 * Extracts a bundle into {@code into}, which must not exist yet or be empty. Entries with an
	 * absolute path, a {@code ..} segment, a link target leaving the bundle, a duplicate path or a
	 * type other than file, directory and symbolic link are refused.
	 */
	public static void extract(InputStream bundle, Path into) throws IOException {
		Files.createDirectories(into);
		try (var existing = Files.list(into)) {
			if (existing.findAny().isPresent()) {
				throw new FileAlreadyExistsException(into.toString(), null, "not empty");
			}
		}
		Path root = into.toRealPath();
		Set<String> seen = new HashSet<>();
		List<Path> directories = new ArrayList<>();
		List<Integer> directoryModes = new ArrayList<>();
		try (TarArchiveInputStream tar = new TarArchiveInputStream(
				new ZstdInputStream(new BufferedInputStream(bundle, 1 << 16)))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				String name = checkName(entry.getName());
				if (!seen.add(name)) {
					throw new BundleFormatException("archive entry " + name + " appears twice");
				}
				Path target = root.resolve(name);
				int mode = entry.getMode() & 07777;
				if (entry.isDirectory()) {
					Files.createDirectories(target);
					directories.add(target);
					directoryModes.add(mode);
				}
				else if (entry.isSymbolicLink()) {
					Path resolved = target.getParent().resolve(entry.getLinkName()).normalize();
					if (Path.of(entry.getLinkName()).isAbsolute() || !resolved.startsWith(root)) {
						throw new BundleFormatException(
								"archive entry " + name + " links outside the bundle: " + entry.getLinkName());
					}
					Files.createDirectories(target.getParent());
					Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
				}
				else if (entry.isFile() && !entry.isLink()) {
					Files.createDirectories(target.getParent());
					if (!target.getParent().toRealPath().startsWith(root)) {
						throw new BundleFormatException(
								"archive entry " + name + " lies under a link leaving the bundle");
					}
					Files.copy(tar, target);
					Files.setAttribute(target, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
				}
				else {
					throw new BundleFormatException(
							"archive entry " + name + " is not a file, directory or symbolic link");
				}
			}
		}
		catch (IOException ex) {
			if (ex instanceof BundleFormatException || ex instanceof FileAlreadyExistsException) {
				throw ex;
			}
			throw new BundleFormatException("the bundle is not a readable tar.zst archive: " + ex.getMessage());
		}
		for (int i = directories.size() - 1; i >= 0; i--) {
			Files.setAttribute(directories.get(i), "unix:mode", directoryModes.get(i));
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
