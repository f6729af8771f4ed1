package dev.pgext.importer.run;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.json.JsonMapper;

import dev.pgext.importer.pgdata.BackupManifest;
import dev.pgext.importer.pgdata.ChecksumAlgorithm;
import dev.pgext.importer.pgdata.FileCheck;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.plan.LineSort;
import dev.pgext.importer.plan.Manifest;
import dev.pgext.model.json.DocumentJson;

/**
 * Holds an import's input to the list that knows every file's size and checksum. The
 * sizes are compared with the frozen listing before anything is read, which catches what
 * no size rule can (a relation's last segment cut short on a page boundary, a missing
 * last segment). The checksums are computed from the bytes the jobs read anyway, never by
 * a second read; a job reads each file whole when checks are on
 * ({@link dev.pgext.importer.plan.Planner} keeps files whole), except on a shard of a
 * sharded tenant, which reads only its own stripes and so checks the checksums of the
 * files it reads whole (SLRUs, relation maps, the control file) and the sizes of all.
 * <p>
 * The list is never held: it is sorted by path into a local file outside the heap (sorted
 * runs, then a k-way merge), merged with the listing in one pass, and a job looks a
 * file's checks up in that file by binary search.
 */
final class FileVerification {

	private static final String WAL = "pg_wal/";

	private static final JsonMapper JSON = DocumentJson.COMPACT;

	/** The checks sorted by path, a line each; null when there are none. */
	private final Path sorted;

	private final boolean relationChecksums;

	private FileVerification(Path sorted, boolean relationChecksums) {
		this.sorted = sorted;
		this.relationChecksums = relationChecksums;
	}

	/** No list: nothing beyond the importer's own rules is checked. */
	static FileVerification none() {
		return new FileVerification(null, false);
	}

	/**
	 * Checks the listing of {@code manifest} against its expectations.
	 * @param wholeShard whether this shard reads every block of every relation file
	 * @param directory where the sorted list is kept for the jobs' look-ups (deleted with
	 * the directory at the end of the run)
	 * @throws InvalidPgdataException naming the first file that is missing, extra or of
	 * another size
	 */
	static FileVerification of(Manifest manifest, boolean wholeShard, Path directory) {
		Manifest.Checks checks = manifest.checks();
		if (checks == null) {
			return none();
		}
		try {
			Files.createDirectories(directory);
			Path unsorted = directory.resolve("checks.unsorted");
			Path sorted = directory.resolve("checks.sorted");
			String[] firstSource = new String[1];
			long[] count = new long[1];
			try (BufferedWriter out = Files.newBufferedWriter(unsorted, StandardCharsets.UTF_8)) {
				checks.forEach((check) -> {
					if (firstSource[0] == null) {
						firstSource[0] = check.source();
					}
					count[0]++;
					try {
						out.write(sortKey(check.path()));
						out.write('\t');
						out.write(JSON.writeValueAsString(check));
						out.newLine();
					}
					catch (IOException ex) {
						throw new UncheckedIOException(ex);
					}
				});
			}
			LineSort.sort(unsorted, sorted, directory, LineSort.RUN_MEMORY);
			Files.delete(unsorted);
			merge(manifest, sorted, (firstSource[0] != null) ? firstSource[0] : "the upload's file list");
			if (count[0] == 0) {
				Files.delete(sorted);
				return none();
			}
			return new FileVerification(sorted, wholeShard);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The checks in path order, merged with the listing (in path order too) in one pass:
	 * the first check whose file is missing or of another size, else an empty file of
	 * another checksum, else the first file nobody listed.
	 */
	private static void merge(Manifest manifest, Path sorted, String source) throws IOException {
		String[] problem = new String[1];
		String[] empty = new String[1];
		String[] unlisted = new String[1];
		try (BufferedReader in = Files.newBufferedReader(sorted, StandardCharsets.UTF_8)) {
			FileCheck[] next = { read(in.readLine()) };
			manifest.files().forEach((entry) -> {
				boolean listed = false;
				while (next[0] != null && next[0].path().compareTo(entry.path()) <= 0) {
					FileCheck check = next[0];
					next[0] = read(readLine(in));
					if (check.path().equals(entry.path())) {
						listed = true;
						if (problem[0] == null && entry.size() != check.size()) {
							problem[0] = "'" + check.path() + "' is " + entry.size() + " bytes, but " + check.source()
									+ " says " + check.size() + ": the file is truncated or changed";
						}
					}
					else if (problem[0] == null) {
						problem[0] = notUploaded(check);
					}
					empty[0] = (empty[0] != null) ? empty[0] : emptyMismatch(check);
				}
				if (!listed && unlisted[0] == null && !entry.path().startsWith(WAL)
						&& !entry.path().equals(BackupManifest.FILE_NAME)) {
					unlisted[0] = entry.path();
				}
			});
			for (FileCheck check = next[0]; check != null; check = read(in.readLine())) {
				if (problem[0] == null) {
					problem[0] = notUploaded(check);
				}
				empty[0] = (empty[0] != null) ? empty[0] : emptyMismatch(check);
			}
		}
		if (problem[0] != null) {
			throw new InvalidPgdataException(problem[0]);
		}
		if (empty[0] != null) {
			throw new InvalidPgdataException(empty[0]);
		}
		if (unlisted[0] != null) {
			throw new InvalidPgdataException("'" + unlisted[0] + "' was uploaded but is not listed in " + source);
		}
	}

	/** Why an empty file's listed checksum is wrong, or null. */
	private static String emptyMismatch(FileCheck check) {
		if (check.size() != 0) {
			return null;
		}
		try {
			verify(check, check.algorithm().start());
			return null;
		}
		catch (InvalidPgdataException ex) {
			return ex.getMessage();
		}
	}

	/**
	 * A path as four hex digits per character: text order of the keys is
	 * {@link String#compareTo} order of the paths, whatever characters they hold.
	 */
	private static String sortKey(String path) {
		StringBuilder key = new StringBuilder(path.length() * 4);
		for (int i = 0; i < path.length(); i++) {
			String hex = Integer.toHexString(path.charAt(i));
			key.append("0000", hex.length(), 4).append(hex);
		}
		return key.toString();
	}

	private static FileCheck read(String line) {
		return (line != null) ? JSON.readValue(line.substring(line.indexOf('\t') + 1), FileCheck.class) : null;
	}

	private static String readLine(BufferedReader in) {
		try {
			return in.readLine();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String notUploaded(FileCheck check) {
		return "'" + check.path() + "' is listed in " + check.source() + " but was not uploaded";
	}

	/** Whether a list is in force, so jobs must read files whole. */
	boolean active() {
		return this.sorted != null;
	}

	/** Checks a file read whole in one piece (the control file, a relation map). */
	void verifyWhole(String path, byte[] bytes) {
		Reading reading = start(path, bytes.length, true);
		if (reading != null) {
			reading.update(0, bytes, 0, bytes.length);
		}
	}

	/**
	 * Starts checking a file whose bytes this job reads in order, or null when it has no
	 * checksum to check here.
	 * @param relation whether it is a relation segment, which a shard of a sharded tenant
	 * reads in part only
	 */
	Reading start(String path, long size, boolean relation) {
		if (this.sorted == null || (relation && !this.relationChecksums) || size == 0) {
			return null;
		}
		List<FileCheck> checks = lookUp(path).stream().filter((c) -> c.algorithm() != ChecksumAlgorithm.NONE).toList();
		if (checks.isEmpty()) {
			return null;
		}
		return new Reading(path, size, checks);
	}

	/**
	 * The checks of {@code path}, found by binary search over the byte offsets of the
	 * sorted file (each probe reads the line that starts at or after its offset).
	 */
	private List<FileCheck> lookUp(String path) {
		String key = sortKey(path);
		try (FileChannel channel = FileChannel.open(this.sorted, StandardOpenOption.READ)) {
			SortedLines lines = new SortedLines(channel);
			// lo and hi are line starts: every line before lo sorts before the key, every
			// line from hi on does not
			long lo = 0;
			long hi = channel.size();
			while (lo < hi) {
				long mid = lo + (hi - lo) / 2;
				long probe = (mid == lo) ? lo : lines.nextLineStart(mid - 1);
				if (probe >= hi) {
					probe = lo;
				}
				String line = lines.lineAt(probe);
				if (keyOf(line).compareTo(key) < 0) {
					lo = probe + line.getBytes(StandardCharsets.UTF_8).length + 1;
				}
				else if (probe == lo) {
					hi = lo;
				}
				else {
					hi = probe;
				}
			}
			List<FileCheck> found = new ArrayList<>();
			long at = lo;
			while (at < channel.size()) {
				String line = lines.lineAt(at);
				if (!keyOf(line).equals(key)) {
					break;
				}
				found.add(read(line));
				at += line.getBytes(StandardCharsets.UTF_8).length + 1;
			}
			return found;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String keyOf(String line) {
		return line.substring(0, line.indexOf('\t'));
	}

	private static void verify(FileCheck check, ChecksumAlgorithm.Running running) {
		String actual = running.hex();
		if (!actual.equals(check.checksum())) {
			throw new InvalidPgdataException("'" + check.path() + "' does not match " + check.source() + ": its "
					+ check.algorithm().label() + " is " + actual + ", the list says " + check.checksum());
		}
	}

	/** Reads lines of the sorted file at byte offsets. */
	private static final class SortedLines {

		private final FileChannel channel;

		private final ByteBuffer buffer = ByteBuffer.allocate(4096);

		SortedLines(FileChannel channel) {
			this.channel = channel;
		}

		/** The offset just after the first newline at or after {@code offset}. */
		long nextLineStart(long offset) throws IOException {
			long at = offset;
			while (true) {
				this.buffer.clear();
				int n = this.channel.read(this.buffer, at);
				if (n <= 0) {
					return this.channel.size();
				}
				for (int i = 0; i < n; i++) {
					if (this.buffer.get(i) == '\n') {
						return at + i + 1;
					}
				}
				at += n;
			}
		}

		/** The line that starts at {@code offset}, without its newline. */
		String lineAt(long offset) throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			long at = offset;
			while (true) {
				this.buffer.clear();
				int n = this.channel.read(this.buffer, at);
				if (n <= 0) {
					return line.toString(StandardCharsets.UTF_8);
				}
				for (int i = 0; i < n; i++) {
					if (this.buffer.get(i) == '\n') {
						line.write(this.buffer.array(), 0, i);
						return line.toString(StandardCharsets.UTF_8);
					}
				}
				line.write(this.buffer.array(), 0, n);
				at += n;
			}
		}

	}

	/**
	 * The checksums of one file being read, fed in file order by one job.
	 */
	static final class Reading {

		private final String path;

		private final long size;

		private final List<FileCheck> checks;

		private final List<ChecksumAlgorithm.Running> running;

		private long next;

		private Reading(String path, long size, List<FileCheck> checks) {
			this.path = path;
			this.size = size;
			this.checks = checks;
			this.running = checks.stream().map((c) -> c.algorithm().start()).toList();
		}

		/**
		 * Feeds the bytes at {@code position} of the file; checks the checksums after its
		 * last byte.
		 */
		void update(long position, byte[] bytes, int offset, int length) {
			if (position != this.next) {
				throw new IllegalStateException(
						"'" + this.path + "' read out of order: " + position + " after " + this.next + " bytes");
			}
			for (ChecksumAlgorithm.Running r : this.running) {
				r.update(bytes, offset, length);
			}
			this.next += length;
			if (this.next == this.size) {
				for (int i = 0; i < this.checks.size(); i++) {
					verify(this.checks.get(i), this.running.get(i));
				}
			}
		}

		String path() {
			return this.path;
		}

		boolean complete() {
			return this.next == this.size;
		}

	}

}
