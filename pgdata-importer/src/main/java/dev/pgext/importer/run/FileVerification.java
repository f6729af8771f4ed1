package dev.pgext.importer.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.pgext.importer.pgdata.BackupManifest;
import dev.pgext.importer.pgdata.ChecksumAlgorithm;
import dev.pgext.importer.pgdata.FileCheck;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.plan.Manifest;

/**
 * Holds an import's input to the list that knows every file's size and checksum. The
 * sizes are compared with the frozen listing before anything is read, which catches what
 * no size rule can (a relation's last segment cut short on a page boundary, a missing
 * last segment). The checksums are computed from the bytes the jobs read anyway, never by
 * a second read; a job reads each file whole when checks are on
 * ({@link dev.pgext.importer.plan.Planner} keeps files whole), except on a shard of a
 * sharded tenant, which reads only its own stripes and so checks the checksums of the
 * files it reads whole (SLRUs, relation maps, the control file) and the sizes of all.
 */
final class FileVerification {

	private static final String WAL = "pg_wal/";

	private final Map<String, List<FileCheck>> byPath;

	private final boolean relationChecksums;

	private FileVerification(Map<String, List<FileCheck>> byPath, boolean relationChecksums) {
		this.byPath = byPath;
		this.relationChecksums = relationChecksums;
	}

	/** No list: nothing beyond the importer's own rules is checked. */
	static FileVerification none() {
		return new FileVerification(Map.of(), false);
	}

	/**
	 * Checks the listing of {@code manifest} against its expectations.
	 * @param wholeShard whether this shard reads every block of every relation file
	 * @throws InvalidPgdataException naming the first file that is missing, extra or of
	 * another size
	 */
	static FileVerification of(Manifest manifest, boolean wholeShard) {
		if (manifest.checks() == null) {
			return none();
		}
		List<FileCheck> checks = manifest.checks();
		Map<String, List<FileCheck>> byPath = new HashMap<>();
		for (FileCheck check : checks) {
			byPath.computeIfAbsent(check.path(), (p) -> new ArrayList<>()).add(check);
		}
		// the checks in path order, merged with the listing (in path order too) in one
		// pass: the first check whose file is missing or of another size, the first file
		// nobody listed
		List<FileCheck> sorted = new ArrayList<>(checks);
		sorted.sort(Comparator.comparing(FileCheck::path));
		int[] next = new int[1];
		String[] problem = new String[1];
		String[] unlisted = new String[1];
		manifest.files().forEach((entry) -> {
			boolean listed = false;
			while (next[0] < sorted.size() && sorted.get(next[0]).path().compareTo(entry.path()) <= 0) {
				FileCheck check = sorted.get(next[0]++);
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
			}
			if (!listed && unlisted[0] == null && !entry.path().startsWith(WAL)
					&& !entry.path().equals(BackupManifest.FILE_NAME)) {
				unlisted[0] = entry.path();
			}
		});
		if (problem[0] == null && next[0] < sorted.size()) {
			problem[0] = notUploaded(sorted.get(next[0]));
		}
		if (problem[0] != null) {
			throw new InvalidPgdataException(problem[0]);
		}
		for (FileCheck check : checks) {
			if (check.size() == 0) {
				verify(check, check.algorithm().start());
			}
		}
		if (unlisted[0] != null) {
			String source = checks.isEmpty() ? "the upload's file list" : checks.get(0).source();
			throw new InvalidPgdataException("'" + unlisted[0] + "' was uploaded but is not listed in " + source);
		}
		return new FileVerification(Map.copyOf(byPath), wholeShard);
	}

	private static String notUploaded(FileCheck check) {
		return "'" + check.path() + "' is listed in " + check.source() + " but was not uploaded";
	}

	/** Whether a list is in force, so jobs must read files whole. */
	boolean active() {
		return !this.byPath.isEmpty();
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
		if (relation && !this.relationChecksums) {
			return null;
		}
		List<FileCheck> checks = this.byPath.getOrDefault(path, List.of())
			.stream()
			.filter((c) -> c.algorithm() != ChecksumAlgorithm.NONE)
			.toList();
		if (checks.isEmpty() || size == 0) {
			return null;
		}
		return new Reading(path, size, checks);
	}

	private static void verify(FileCheck check, ChecksumAlgorithm.Running running) {
		String actual = running.hex();
		if (!actual.equals(check.checksum())) {
			throw new InvalidPgdataException("'" + check.path() + "' does not match " + check.source() + ": its "
					+ check.algorithm().label() + " is " + actual + ", the list says " + check.checksum());
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
