package dev.pgext.bundle.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Hostile bundle archives, written entry by entry with commons-compress the way an
 * attacker would write them, and a sentinel directory outside the extraction target to
 * show that none of them touches anything there.
 */
public final class CraftedArchives {

	/**
	 * A {@code bundle.json} that passes the fetch's pin check for PG 15, so extraction is
	 * reached.
	 */
	public static final String MANIFEST = """
			{"format":1,"variant":"chroot","postgres":{"15":{"version":"15.19"}},
			 "files":[{"path":"LAUNCHER","type":"file","mode":"0755"}]}
			""";

	private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

	private final TarArchiveOutputStream tar;

	private CraftedArchives() {
		try {
			this.tar = new TarArchiveOutputStream(new ZstdOutputStream(this.bytes));
			this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A new archive that starts with {@link #MANIFEST}. */
	public static CraftedArchives withManifest() {
		return new CraftedArchives().file(BundleManifest.PATH, MANIFEST, 0644);
	}

	/** A new, empty archive. */
	public static CraftedArchives empty() {
		return new CraftedArchives();
	}

	public CraftedArchives file(String name, String content, int mode) {
		byte[] data = content.getBytes(StandardCharsets.UTF_8);
		TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
		entry.setMode(0100000 | mode);
		entry.setSize(data.length);
		return put(entry, data);
	}

	public CraftedArchives directory(String name, int mode) {
		TarArchiveEntry entry = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true);
		entry.setMode(040000 | mode);
		return put(entry, null);
	}

	public CraftedArchives symlink(String name, String target) {
		TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
		entry.setLinkName(target);
		return put(entry, null);
	}

	public CraftedArchives hardLink(String name, String target) {
		TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
		entry.setLinkName(target);
		return put(entry, null);
	}

	public CraftedArchives characterDevice(String name, int major, int minor) {
		TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_CHR, true);
		entry.setDevMajor(major);
		entry.setDevMinor(minor);
		entry.setMode(020666);
		return put(entry, null);
	}

	public CraftedArchives fifo(String name) {
		TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
		entry.setMode(010644);
		return put(entry, null);
	}

	/**
	 * The archive of the report that started this: {@code p -> .}, then a link {@code q}
	 * under {@code p/p/...} whose target looks inside lexically but, with {@code p}
	 * followed, reaches the directory holding {@code outside}, then directory entries
	 * under {@code q}: the existing {@code outside} itself with mode 0777, a new
	 * directory in it and a file in that.
	 */
	public CraftedArchives linkLoopTo(Path outside) {
		int depth = 24;
		String q = "p/".repeat(depth) + "q";
		Path absolute = outside.toAbsolutePath();
		symlink("p", ".");
		symlink(q, "../".repeat(depth) + absolute.getParent().toString().substring(1));
		String through = q + "/" + absolute.getFileName();
		directory(through, 0777);
		directory(through + "/created", 0777);
		return file(through + "/created/planted", "planted", 0644);
	}

	public byte[] bytes() {
		try {
			this.tar.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return this.bytes.toByteArray();
	}

	/** Writes the archive to {@code file}. */
	public Path writeTo(Path file) throws IOException {
		Files.write(file, bytes());
		return file;
	}

	private CraftedArchives put(TarArchiveEntry entry, byte[] data) {
		try {
			this.tar.putArchiveEntry(entry);
			if (data != null) {
				this.tar.write(data);
			}
			this.tar.closeArchiveEntry();
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A directory outside the extraction target with a known mode and content, to check
	 * that an extraction left it alone.
	 *
	 * @param dir the directory
	 * @param mode its permission bits when created
	 */
	public record Sentinel(Path dir, int mode) {

		/** Creates {@code dir} with mode 0700 and one file in it. */
		public static Sentinel create(Path dir) throws IOException {
			Files.createDirectories(dir);
			Files.writeString(dir.resolve("kept"), "kept");
			Files.setAttribute(dir, "unix:mode", 0700);
			return new Sentinel(dir, 0700);
		}

		/** The paths under the sentinel, which should be only {@code kept}. */
		public List<String> content() throws IOException {
			try (Stream<Path> paths = Files.walk(this.dir)) {
				return paths.filter((p) -> !p.equals(this.dir)).map((p) -> this.dir.relativize(p).toString()).toList();
			}
		}

		/** The sentinel's current permission bits. */
		public int currentMode() throws IOException {
			return ((Integer) Files.getAttribute(this.dir, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
		}

	}

}
