package dev.pgext.model.place;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtFile;

/**
 * Puts one file of an index into a Postgres installation so that Postgres only ever sees
 * complete, verified content: the bytes stream into a temporary file in the target's own
 * directory (so the final rename stays on one file system and is atomic) while their
 * digest is computed, the file is fsynced, its size and digest are checked against the
 * index, and only then is it renamed over the target. A wrong digest or size leaves
 * nothing behind. Nothing is held in memory beyond one buffer. The caller fsyncs each
 * directory it renamed into, once per batch ({@link #syncDirectory}), because one fsync
 * per file would dominate the cost of small files.
 * <p>
 * The extension loader places files this way before Postgres starts or while it waits,
 * and the {@code pgext install} command places them the same way into a local
 * installation.
 */
public final class FilePlacement {

	/**
	 * Suffix of files being written; whoever places into a directory may remove leftovers
	 * of dead writers.
	 */
	public static final String PART_SUFFIX = ".pgext-part";

	private static final int BUFFER = 64 * 1024;

	private static final long PID = ProcessHandle.current().pid();

	private static final AtomicLong PARTS = new AtomicLong();

	private FilePlacement() {
	}

	/**
	 * What a placement tells its caller while bytes flow: a bandwidth limit, a byte
	 * counter or a progress bar. Called from the placing thread only.
	 */
	public interface Flow {

		/** No limit, nothing observed. */
		Flow NONE = new Flow() {
		};

		/**
		 * How many bytes to read next, at most {@code buffer}; a bandwidth limit answers
		 * less.
		 */
		default int nextChunk(int buffer) {
			return buffer;
		}

		/** {@code n} bytes were read and written. */
		default void received(int n) {
		}

	}

	/**
	 * Streams {@code in} into a temporary file next to {@code target}, verifies its size
	 * and sha256 against {@code file} and renames it into place (0755 for a library, else
	 * 0644); on any failure the temporary file is removed and the target is untouched.
	 * The directory is not fsynced here.
	 * @throws ContentMismatchException when the content is not what {@code file} says
	 * @throws IOException when reading or writing fails
	 */
	public static void receive(InputStream in, ExtFile file, Path target, Flow flow) throws IOException {
		receive(in, file, target, flow, true);
	}

	/**
	 * As {@link #receive(InputStream, ExtFile, Path, Flow)}, without the fsync: for
	 * content that is verified again whenever it is read, such as a content-addressed
	 * cache, where a file that lost its content when the machine went down is found out
	 * and fetched again. Its writer then does not wait for the disk.
	 * @throws ContentMismatchException when the content is not what {@code file} says
	 * @throws IOException when reading or writing fails
	 */
	public static void receiveVerifiedOnRead(InputStream in, ExtFile file, Path target, Flow flow) throws IOException {
		receive(in, file, target, flow, false);
	}

	private static void receive(InputStream in, ExtFile file, Path target, Flow flow, boolean durable)
			throws IOException {
		Path part = newPart(target);
		try {
			write(in, file, part, flow, durable);
			rename(part, target);
		}
		finally {
			Files.deleteIfExists(part);
		}
	}

	/**
	 * Streams {@code in} into a new {@link #stagedSibling} of {@code target} and verifies
	 * its size and sha256 against {@code file}, without fsync: the caller makes a batch
	 * of staged files durable ({@link #sync}) and then renames each over its target
	 * ({@link #promote}), so that one batch waits for the disk once instead of once per
	 * file. On failure nothing is left behind.
	 * @return the staged file, verified, with its final mode
	 * @throws ContentMismatchException when the content is not what {@code file} says
	 * @throws IOException when reading or writing fails
	 */
	public static Path stage(InputStream in, ExtFile file, Path target, Flow flow) throws IOException {
		Path staged = stagedSibling(target);
		boolean done = false;
		try {
			Files.newByteChannel(staged, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
			write(in, file, staged, flow, false);
			done = true;
			return staged;
		}
		finally {
			if (!done) {
				Files.deleteIfExists(staged);
			}
		}
	}

	/** Flushes a staged file's content to disk, before {@link #promote} names it. */
	public static void sync(Path staged) throws IOException {
		try (FileChannel channel = FileChannel.open(staged, StandardOpenOption.WRITE)) {
			channel.force(true);
		}
	}

	private static void write(InputStream in, ExtFile file, Path part, Flow flow, boolean force) throws IOException {
		MessageDigest digest = Sha256Digest.newDigest();
		long total = 0;
		try (FileChannel out = FileChannel.open(part, StandardOpenOption.WRITE)) {
			byte[] buffer = new byte[BUFFER];
			while (true) {
				int n = in.read(buffer, 0, Math.min(buffer.length, Math.max(1, flow.nextChunk(buffer.length))));
				if (n < 0) {
					break;
				}
				total += n;
				if (total > file.size()) {
					throw new ContentMismatchException(file.path() + " (" + file.sha256() + ") is larger than the "
							+ file.size() + " bytes the index says; refused");
				}
				digest.update(buffer, 0, n);
				ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
				while (chunk.hasRemaining()) {
					out.write(chunk);
				}
				flow.received(n);
			}
			if (force) {
				out.force(true);
			}
		}
		Sha256Digest actual = Sha256Digest.fromDigest(digest);
		if (total != file.size() || !actual.equals(file.sha256())) {
			throw new ContentMismatchException(file.path() + ": content has sha256 " + actual + " and " + total
					+ " bytes, the index says " + file.sha256() + " and " + file.size() + " bytes; refused");
		}
		Files.setPosixFilePermissions(part,
				PosixFilePermissions.fromString(file.isLibrary() ? "rwxr-xr-x" : "rw-r--r--"));
	}

	/**
	 * A fresh, unused name next to {@code target} for content that is verified now and
	 * put in place later with {@link #promote}, so that several files can all be verified
	 * before any of them replaces what Postgres sees. It ends in {@value #PART_SUFFIX},
	 * so a staged file whose writer died is removed like any leftover.
	 */
	public static Path stagedSibling(Path target) {
		return target
			.resolveSibling("." + target.getFileName() + "." + PID + ".staged" + PARTS.incrementAndGet() + PART_SUFFIX);
	}

	/**
	 * Renames verified content at {@code staged} (a {@link #stagedSibling} of
	 * {@code target}) over {@code target} in one atomic step; the caller fsyncs the
	 * directory.
	 */
	public static void promote(Path staged, Path target) throws IOException {
		rename(staged, target);
	}

	/** Whether {@code target} already holds exactly {@code file}'s content. */
	public static boolean hasContent(Path target, ExtFile file) throws IOException {
		return Files.isRegularFile(target) && Files.size(target) == file.size()
				&& Sha256Digest.of(target).equals(file.sha256());
	}

	/**
	 * Writes small content (a control file from the index) through a temporary file and a
	 * rename, so a reader never sees it half-written. Content already there is left
	 * alone.
	 * @param durable whether to fsync the file and its directory; content that is
	 * rewritten from the index before every start (control files) needs no fsync, since a
	 * crash only means it is compared and rewritten at the next start, before Postgres
	 * runs
	 */
	public static void writeAtomically(Path target, byte[] content, boolean durable) throws IOException {
		if (Files.isRegularFile(target) && Files.size(target) == content.length
				&& Arrays.equals(Files.readAllBytes(target), content)) {
			return;
		}
		Files.createDirectories(target.getParent());
		Path part = newPart(target);
		try {
			try (FileChannel out = FileChannel.open(part, StandardOpenOption.WRITE)) {
				ByteBuffer buffer = ByteBuffer.wrap(content);
				while (buffer.hasRemaining()) {
					out.write(buffer);
				}
				if (durable) {
					out.force(true);
				}
			}
			Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
			rename(part, target);
			if (durable) {
				syncDirectory(target.getParent());
			}
		}
		finally {
			Files.deleteIfExists(part);
		}
	}

	/**
	 * Removes the {@value #PART_SUFFIX} files a killed writer left anywhere under
	 * {@code dir} (nested directories included, links not followed); returns how many.
	 */
	public static int removeLeftovers(Path dir) throws IOException {
		return removeLeftovers(dir, (part) -> true);
	}

	/**
	 * Removes the {@value #PART_SUFFIX} files under {@code dir} that {@code which}
	 * accepts; returns how many. Other writers may rename or remove files meanwhile (a
	 * node cache is shared by every loader on the node): those are skipped.
	 */
	public static int removeLeftovers(Path dir, Predicate<Path> which) throws IOException {
		int removed = 0;
		for (Path part : partFilesUnder(dir, which)) {
			if (Files.deleteIfExists(part)) {
				removed++;
			}
		}
		return removed;
	}

	/**
	 * The {@value #PART_SUFFIX} files under {@code dir} (nested directories included,
	 * links not followed); none if {@code dir} does not exist. A file or directory that
	 * another writer renames or removes while the tree is walked is skipped rather than
	 * failing the walk.
	 */
	public static List<Path> partFilesUnder(Path dir) throws IOException {
		return partFilesUnder(dir, (part) -> true);
	}

	private static List<Path> partFilesUnder(Path dir, Predicate<Path> which) throws IOException {
		List<Path> parts = new ArrayList<>();
		Files.walkFileTree(dir, new RemovalTolerantVisitor() {

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
				if (attributes.isRegularFile() && file.getFileName().toString().endsWith(PART_SUFFIX)
						&& which.test(file)) {
					parts.add(file);
				}
				return FileVisitResult.CONTINUE;
			}

		});
		return parts;
	}

	/**
	 * The pid of the process that wrote part file {@code part}
	 * ({@code .<name>.<pid>.<n>.pgext-part}), if it says.
	 */
	public static Optional<Long> writerOf(Path part) {
		String name = part.getFileName().toString();
		if (!name.endsWith(PART_SUFFIX)) {
			return Optional.empty();
		}
		String[] fields = name.substring(0, name.length() - PART_SUFFIX.length()).split("\\.");
		try {
			return (fields.length >= 3) ? Optional.of(Long.parseLong(fields[fields.length - 2])) : Optional.empty();
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
	}

	/** Makes the renames in {@code dir} durable. */
	public static void syncDirectory(Path dir) throws IOException {
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
	}

	/**
	 * A new, empty temporary file next to {@code target}, named after it, this process
	 * and a counter: unique without the cost of random names, and recognisable as a
	 * leftover.
	 */
	private static Path newPart(Path target) throws IOException {
		Path part = target
			.resolveSibling("." + target.getFileName() + "." + PID + "." + PARTS.incrementAndGet() + PART_SUFFIX);
		Files.newByteChannel(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
		return part;
	}

	private static void rename(Path part, Path target) throws IOException {
		try {
			Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException ex) {
			throw new IOException("cannot rename atomically into " + target.getParent(), ex);
		}
	}

	/**
	 * Renames the complete directory {@code built} to {@code target} in one step, unless
	 * a concurrent builder has already put a complete one there: then {@code built} stays
	 * where it is, for its caller to delete. Readers therefore see either no
	 * {@code target} or a whole one.
	 * @param built a complete directory on the same file system as {@code target}
	 * @param target where it belongs
	 * @return whether {@code built} is now {@code target}
	 * @throws IOException when the rename fails otherwise, or cannot be atomic
	 */
	public static boolean moveDirectoryIntoPlace(Path built, Path target) throws IOException {
		try {
			Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
			return true;
		}
		catch (AtomicMoveNotSupportedException ex) {
			throw new IOException("cannot rename " + built + " to " + target + " atomically", ex);
		}
		catch (FileSystemException ex) {
			// rename(2) over a non-empty directory fails with ENOTEMPTY, which the JDK
			// reports as a plain FileSystemException ("Directory not empty"), not as
			// DirectoryNotEmptyException
			if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
				return false;
			}
			throw ex;
		}
	}

}
