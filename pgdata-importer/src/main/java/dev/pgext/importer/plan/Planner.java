package dev.pgext.importer.plan;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.json.JsonMapper;

import dev.pgext.importer.keyspace.Key;
import dev.pgext.importer.keyspace.Keys;
import dev.pgext.importer.keyspace.Keys.SlruKind;
import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.importer.pgdata.PgdataFile;
import dev.pgext.importer.pgdata.PgdataFile.RelMap;
import dev.pgext.importer.pgdata.PgdataFile.RelSegment;
import dev.pgext.importer.pgdata.PgdataFile.SlruSegment;
import dev.pgext.importer.pgdata.RelMapFile;
import dev.pgext.importer.plan.ImportPlan.SkippedFiles;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.json.DocumentJson;

/**
 * Turns a frozen manifest into jobs. A pure function of its inputs: the same manifest,
 * control file, shard and settings always give the same jobs and the same plan id, which
 * is what lets a restarted import continue with the jobs it has not finished.
 * <p>
 * Its memory does not grow with the number of files. The manifest is in path order, the
 * jobs in key order ({@code base/5/100} sorts before {@code base/5/20} as a path, after
 * it as a relation), so the imported files are written to a temporary file, one line each
 * under their key, and sorted by key outside the heap (sorted runs of bounded size, then
 * one k-way merge). Walks over the sorted file then emit the tasks in key order, and the
 * tasks are cut into jobs as they come and written to the plan's jobs file, from which
 * the jobs are read back one at a time ({@link ImportPlan#jobs()}). What is held at once
 * is a run of the sort, one job's tasks, and the value of one directory key (a database's
 * list of relation forks, five bytes each, which the layer stores as one value).
 */
public final class Planner {

	/** Bumped whenever the planner or the value encodings change what a plan produces. */
	static final int VERSION = 1;

	private static final int BLOCK = PgControl.BLOCK_SIZE;

	/** An SLRU segment holds at most 32 pages. */
	private static final int SLRU_MAX_BLOCKS = 32;

	private static final JsonMapper JSON = DocumentJson.COMPACT;

	private Planner() {
	}

	/**
	 * Plans the import of {@code manifest} for {@code shard}, in one pass over its files.
	 * @param jobSizeBytes soft limit of a job's value bytes (about one layer's size)
	 * @param compressionLevel zstd level of the layers, part of the plan id because it
	 * changes the layer bytes
	 * @param directory where the sort's temporary files and the jobs file go; the
	 * temporary files are deleted before this returns or throws, the jobs file belongs to
	 * the plan
	 * @throws InvalidPgdataException when the files are not a PGDATA this importer
	 * accepts
	 */
	public static ImportPlan plan(Listing manifest, Sha256Digest manifestDigest, PgControl control, ShardIdentity shard,
			long jobSizeBytes, int compressionLevel, Path directory) {
		return plan(manifest, manifestDigest, control, shard, jobSizeBytes, compressionLevel, false, directory);
	}

	/**
	 * Plans the import of {@code manifest} for {@code shard}, in one pass over its files.
	 * @param jobSizeBytes soft limit of a job's value bytes (about one layer's size)
	 * @param compressionLevel zstd level of the layers, part of the plan id because it
	 * changes the layer bytes
	 * @param wholeFiles never split one file's blocks over two jobs (a job may then
	 * exceed the job size by up to one segment), so that one job reads each file from its
	 * first byte to its last and can check its checksum
	 * @param directory where the sort's temporary files and the jobs file go; the
	 * temporary files are deleted before this returns or throws, the jobs file belongs to
	 * the plan
	 * @throws InvalidPgdataException when the files are not a PGDATA this importer
	 * accepts
	 */
	public static ImportPlan plan(Listing manifest, Sha256Digest manifestDigest, PgControl control, ShardIdentity shard,
			long jobSizeBytes, int compressionLevel, boolean wholeFiles, Path directory) {
		return plan(manifest, manifestDigest, control, shard, jobSizeBytes, compressionLevel, wholeFiles, directory,
				LineSort.RUN_MEMORY);
	}

	/**
	 * Plans like
	 * {@link #plan(Listing, Sha256Digest, PgControl, ShardIdentity, long, int, boolean, Path)},
	 * with sorted runs of {@code sortRunMemory} bytes.
	 */
	static ImportPlan plan(Listing manifest, Sha256Digest manifestDigest, PgControl control, ShardIdentity shard,
			long jobSizeBytes, int compressionLevel, boolean wholeFiles, Path directory, long sortRunMemory) {
		Path unsorted = null;
		Path sorted = null;
		Path jobsFile = null;
		boolean planned = false;
		try {
			Files.createDirectories(directory);
			unsorted = Files.createTempFile(directory, "plan-files-", ".unsorted");
			sorted = Files.createTempFile(directory, "plan-files-", ".sorted");
			jobsFile = Files.createTempFile(directory, "plan-jobs-", ".bin");
			Map<String, SkippedFiles> skipped = spill(manifest, control, unsorted);
			LineSort.sort(unsorted, sorted, directory, sortRunMemory);
			Files.delete(unsorted);
			unsorted = null;
			byte[] dbDirectory = databases(sorted);
			try (JobSink sink = new JobSink(jobsFile, manifestDigest, shard, jobSizeBytes, compressionLevel,
					wholeFiles)) {
				emit(sorted, dbDirectory, control, shard, sink);
				sink.finish();
				planned = true;
				return new ImportPlan(sink.id(), control, sink.jobs(), sink.bytes(), List.copyOf(skipped.values()),
						jobsFile);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			deleteQuietly(unsorted);
			deleteQuietly(sorted);
			if (!planned) {
				deleteQuietly(jobsFile);
			}
		}
	}

	/**
	 * The one pass over the manifest: checks every file on its own and writes each
	 * imported one to {@code unsorted}, a line per file under the key it sorts by.
	 */
	private static Map<String, SkippedFiles> spill(Listing manifest, PgControl control, Path unsorted)
			throws IOException {
		Map<String, SkippedFiles> skipped = new TreeMap<>();
		long segmentBytes = (long) control.segmentBlocks() * BLOCK;
		try (BufferedWriter out = Files.newBufferedWriter(unsorted, StandardCharsets.UTF_8)) {
			manifest.forEach((entry) -> {
				PgdataFile file = PgdataFile.classify(entry.path(), entry.size());
				if (entry.size() < 0) {
					throw new InvalidPgdataException("'" + entry.path() + "' has a negative size");
				}
				Key sortKey = null;
				if (file instanceof PgdataFile.ControlFile) {
					if (entry.size() != PgControl.FILE_SIZE) {
						throw new InvalidPgdataException("'global/pg_control' is " + entry.size()
								+ " bytes, a control file is " + PgControl.FILE_SIZE + " bytes");
					}
				}
				else if (file instanceof RelMap m) {
					if (entry.size() != RelMapFile.size(control.pgMajor())) {
						throw new InvalidPgdataException(
								"'" + entry.path() + "' is " + entry.size() + " bytes; a PostgreSQL "
										+ control.pgMajor() + " relation map is " + RelMapFile.size(control.pgMajor()));
					}
					sortKey = Keys.relMap(m.spcnode(), m.dbnode());
				}
				else if (file instanceof RelSegment s) {
					if (entry.size() % BLOCK != 0) {
						throw new InvalidPgdataException("'" + entry.path() + "' is " + entry.size()
								+ " bytes, not a whole number of 8 KiB pages: the file is truncated or damaged");
					}
					if (entry.size() > segmentBytes) {
						throw new InvalidPgdataException("'" + entry.path() + "' claims " + entry.size()
								+ " bytes, more than a relation segment (" + segmentBytes + ")");
					}
					// relnode is never 0, so a segment never sorts with the database's
					// keys
					sortKey = new Key(0, s.spcnode(), s.dbnode(), s.relnode(), s.fork(), s.segment());
				}
				else if (file instanceof SlruSegment s) {
					if (entry.size() % BLOCK != 0 || entry.size() > SLRU_MAX_BLOCKS * BLOCK) {
						throw new InvalidPgdataException("'" + entry.path() + "' is " + entry.size()
								+ " bytes; an SLRU segment is a whole number of 8 KiB pages, at most "
								+ SLRU_MAX_BLOCKS);
					}
					sortKey = Keys.slruBlock(s.kind(), s.segment(), 0);
				}
				else if (file instanceof PgdataFile.Skipped s) {
					skipped.merge(s.reason(), new SkippedFiles(s.reason(), 1, entry.path()),
							(a, b) -> new SkippedFiles(a.reason(), a.files() + 1, a.example()));
				}
				if (sortKey != null) {
					try {
						out.write(sortKey.toHex());
						out.write('\t');
						out.write(JSON.writeValueAsString(entry));
						out.newLine();
					}
					catch (IOException ex) {
						throw new UncheckedIOException(ex);
					}
				}
			});
		}
		return skipped;
	}

	/**
	 * The first walk over the sorted files: the database directory's value, after
	 * checking that {@code global/} and every database with relation files have a
	 * relation map.
	 */
	private static byte[] databases(Path sorted) throws IOException {
		ByteArrayOutputStream list = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(list);
		int count = 0;
		boolean globalMap = false;
		String withoutMap = null;
		try (SortedFiles files = new SortedFiles(sorted)) {
			Key database = null;
			for (SortedFile file = files.take(); file != null && file.key().field1() == 0; file = files.take()) {
				Key key = file.key();
				if (database == null || !sameDatabase(database, key)) {
					database = key;
					count++;
					out.writeInt(key.field2());
					out.writeInt(key.field3());
					// a database's relation map sorts before its relation files
					boolean map = key.field4() == 0;
					globalMap |= map && key.field2() == Keys.GLOBAL_TABLESPACE && key.field3() == 0;
					if (!map && withoutMap == null) {
						withoutMap = directory(key.field2(), key.field3());
					}
				}
			}
		}
		if (!globalMap) {
			throw new InvalidPgdataException("'global/pg_filenode.map' is missing");
		}
		if (withoutMap != null) {
			throw new InvalidPgdataException(
					"database directory " + withoutMap + " has relation files but no pg_filenode.map");
		}
		return ByteBuffer.allocate(4 + list.size()).putInt(count).put(list.toByteArray()).array();
	}

	/**
	 * The second walk: every task in key order. A second reader, ahead of the first,
	 * collects the directories (a database's relation forks, an SLRU's segments), whose
	 * keys come before what they list.
	 */
	private static void emit(Path sorted, byte[] dbDirectory, PgControl control, ShardIdentity shard, JobSink sink)
			throws IOException {
		try (SortedFiles files = new SortedFiles(sorted); SortedFiles ahead = new SortedFiles(sorted)) {
			sink.add(new Task.Value(Keys.dbDirectory(), dbDirectory));
			while (files.peek() != null && files.peek().key().field1() == 0) {
				SortedFile file = files.take();
				Key key = file.key();
				if (key.field4() == 0) {
					sink.add(new Task.FileValue(Keys.relMap(key.field2(), key.field3()), file.entry()));
					sink.add(new Task.Value(Keys.relDirectory(key.field2(), key.field3()), relDirectory(ahead, key)));
				}
				else {
					addFork(sink, file, files, control.segmentBlocks(), shard);
				}
			}
			if (shard.number() == 0) {
				for (SlruKind kind : SlruKind.values()) {
					sink.add(new Task.Value(Keys.slruDirectory(kind), slruDirectory(ahead, kind)));
					while (files.peek() != null && files.peek().key().field1() == 1
							&& files.peek().key().field2() == kind.code()) {
						addSlruSegment(sink, kind, files.take());
					}
				}
				sink.add(new Task.Value(Keys.twoPhaseDirectory(), ByteBuffer.allocate(4).putInt(0).array()));
			}
			sink.add(new Task.Value(Keys.controlFile(), control.raw()));
			sink.add(new Task.Value(Keys.checkpoint(), control.checkpointBytes()));
		}
	}

	/**
	 * The relation forks of the database of {@code relMap}: a count, then (relnode,
	 * fork).
	 */
	private static byte[] relDirectory(SortedFiles ahead, Key relMap) throws IOException {
		ByteArrayOutputStream list = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(list);
		int count = 0;
		Key previous = null;
		while (ahead.peek() != null && ahead.peek().key().field1() == 0
				&& compareDatabase(ahead.peek().key(), relMap) <= 0) {
			Key key = ahead.take().key();
			if (compareDatabase(key, relMap) < 0 || key.field4() == 0) {
				continue;
			}
			if (previous == null || previous.field4() != key.field4() || previous.field5() != key.field5()) {
				count++;
				out.writeInt(key.field4());
				out.writeByte(key.field5());
				previous = key;
			}
		}
		return ByteBuffer.allocate(4 + list.size()).putInt(count).put(list.toByteArray()).array();
	}

	/** The segments of one SLRU: a count, then the segment numbers. */
	private static byte[] slruDirectory(SortedFiles ahead, SlruKind kind) throws IOException {
		ByteArrayOutputStream list = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(list);
		int count = 0;
		while (ahead.peek() != null && (ahead.peek().key().field1() < 1
				|| (ahead.peek().key().field1() == 1 && ahead.peek().key().field2() <= kind.code()))) {
			Key key = ahead.take().key();
			if (key.field1() == 1 && key.field2() == kind.code()) {
				count++;
				out.writeInt(key.field4());
			}
		}
		return ByteBuffer.allocate(4 + list.size()).putInt(count).put(list.toByteArray()).array();
	}

	/**
	 * One relation fork, from its first segment on: its segments must be contiguous from
	 * 0 and all but the last full.
	 */
	private static void addFork(JobSink sink, SortedFile first, SortedFiles files, int segmentBlocks,
			ShardIdentity shard) {
		Key fork = first.key();
		long totalBlocks = 0;
		int expected = 0;
		SortedFile segment = first;
		while (segment != null) {
			SortedFile next = (files.peek() != null && sameFork(files.peek().key(), fork)) ? files.take() : null;
			ManifestEntry entry = segment.entry();
			int number = segment.key().field6();
			if (number != expected) {
				throw new InvalidPgdataException(
						"'" + entry.path() + "': segment " + expected + " of the relation is missing");
			}
			int blocks = (int) (entry.size() / BLOCK);
			if (next != null && blocks != segmentBlocks) {
				throw new InvalidPgdataException("'" + entry.path() + "' is " + entry.size()
						+ " bytes but is not the last segment, so it must be a full segment: the file is truncated");
			}
			long base = (long) number * segmentBlocks;
			if (base + blocks > 0xFFFFFFFEL) {
				throw new InvalidPgdataException("'" + entry.path() + "' reaches past the largest block number");
			}
			addOwnedBlocks(sink, entry,
					Keys.relBlock(fork.field2(), fork.field3(), fork.field4(), fork.field5(), (int) base), blocks,
					shard);
			totalBlocks = base + blocks;
			expected++;
			segment = next;
		}
		sink.add(new Task.Value(Keys.relSize(fork.field2(), fork.field3(), fork.field4(), fork.field5()),
				ByteBuffer.allocate(4).putInt((int) totalBlocks).array()));
	}

	/** The runs of a segment's blocks that {@code shard} owns, stripe by stripe. */
	private static void addOwnedBlocks(JobSink sink, ManifestEntry file, Key first, int blocks, ShardIdentity shard) {
		long base = Integer.toUnsignedLong(first.field6());
		int runStart = -1;
		int i = 0;
		while (i < blocks) {
			long block = base + i;
			long stripeEnd = (block / shard.stripeSize() + 1) * shard.stripeSize();
			int upTo = (int) Math.min(blocks, stripeEnd - base);
			boolean owned = shard.owns(first.plusBlocks(i));
			if (owned && runStart < 0) {
				runStart = i;
			}
			else if (!owned && runStart >= 0) {
				sink.add(new Task.Blocks(first.plusBlocks(runStart), file, runStart, base + runStart, i - runStart,
						true));
				runStart = -1;
			}
			i = upTo;
		}
		if (runStart >= 0) {
			sink.add(new Task.Blocks(first.plusBlocks(runStart), file, runStart, base + runStart, blocks - runStart,
					true));
		}
	}

	private static void addSlruSegment(JobSink sink, SlruKind kind, SortedFile segment) {
		int number = segment.key().field4();
		int blocks = (int) (segment.entry().size() / BLOCK);
		if (blocks > 0) {
			sink.add(new Task.Blocks(Keys.slruBlock(kind, number, 0), segment.entry(), 0, 0, blocks, false));
		}
		sink.add(new Task.Value(Keys.slruSegmentSize(kind, number), ByteBuffer.allocate(4).putInt(blocks).array()));
	}

	private static boolean sameDatabase(Key a, Key b) {
		return compareDatabase(a, b) == 0;
	}

	/** Orders relation keys by (tablespace, database), unsigned. */
	private static int compareDatabase(Key a, Key b) {
		int c = Integer.compareUnsigned(a.field2(), b.field2());
		return (c != 0) ? c : Integer.compareUnsigned(a.field3(), b.field3());
	}

	private static boolean sameFork(Key a, Key b) {
		return a.field1() == b.field1() && sameDatabase(a, b) && a.field4() == b.field4() && a.field5() == b.field5();
	}

	private static String directory(int spc, int db) {
		return (spc == Keys.GLOBAL_TABLESPACE) ? "global" : "base/" + Integer.toUnsignedString(db);
	}

	private static void deleteQuietly(Path file) {
		if (file == null) {
			return;
		}
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			// the caller removes its whole work directory at the end of the run
		}
	}

	/**
	 * One imported file in the sorted temporary file.
	 *
	 * @param key the key it sorts by (a relation map's key, a relation segment's
	 * (tablespace, database, relation, fork, segment), an SLRU segment's first block)
	 * @param entry the file as the manifest froze it
	 */
	private record SortedFile(Key key, ManifestEntry entry) {

	}

	/** A reader of the sorted file, one line ahead. */
	private static final class SortedFiles implements AutoCloseable {

		private final BufferedReader in;

		private SortedFile next;

		SortedFiles(Path file) throws IOException {
			this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
			advance();
		}

		SortedFile peek() {
			return this.next;
		}

		SortedFile take() {
			SortedFile taken = this.next;
			advance();
			return taken;
		}

		private void advance() {
			try {
				String line = this.in.readLine();
				this.next = (line != null) ? new SortedFile(Key.fromHex(line.substring(0, Key.SIZE * 2)),
						JSON.readValue(line.substring(Key.SIZE * 2 + 1), ManifestEntry.class)) : null;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		@Override
		public void close() throws IOException {
			this.in.close();
		}

	}

	/**
	 * Cuts the tasks, coming in key order, into jobs, and writes each job to the jobs
	 * file as soon as the first key of the next one is known; computes the plan id on the
	 * way.
	 */
	private static final class JobSink implements AutoCloseable {

		private final DataOutputStream out;

		private final MessageDigest digest = Sha256Digest.newDigest();

		private final long jobSizeBytes;

		private final int maxBlocks;

		private final boolean wholeFiles;

		private List<Task> current = new ArrayList<>();

		private long currentBytes;

		private int jobs;

		private long bytes;

		private Sha256Digest id;

		JobSink(Path file, Sha256Digest manifestDigest, ShardIdentity shard, long jobSizeBytes, int compressionLevel,
				boolean wholeFiles) throws IOException {
			this.out = JobsFile.writer(file);
			this.jobSizeBytes = jobSizeBytes;
			this.maxBlocks = (int) Math.max(1, Math.min(Integer.MAX_VALUE, jobSizeBytes / BLOCK));
			this.wholeFiles = wholeFiles;
			StringBuilder text = new StringBuilder();
			text.append("planner ").append(VERSION).append('\n');
			text.append("manifest ").append(manifestDigest.hex()).append('\n');
			text.append("shard ")
				.append(shard.number())
				.append('/')
				.append(shard.count())
				.append('/')
				.append(shard.stripeSize())
				.append('\n');
			text.append("job-size ").append(jobSizeBytes).append(" zstd ").append(compressionLevel).append('\n');
			if (wholeFiles) {
				// only when set, so plans recorded before this option keep their ids
				text.append("whole-files\n");
			}
			this.digest.update(text.toString().getBytes(StandardCharsets.UTF_8));
		}

		/** Adds the next task in key order, split into pieces of at most a job. */
		void add(Task task) {
			for (Task piece : split(task)) {
				boolean sameFile = this.wholeFiles && !this.current.isEmpty() && piece instanceof Task.Blocks b
						&& this.current.get(this.current.size() - 1) instanceof Task.Blocks previous
						&& previous.path().equals(b.path());
				if (!this.current.isEmpty() && !sameFile && this.currentBytes + piece.bytes() > this.jobSizeBytes) {
					write(piece.first());
				}
				this.current.add(piece);
				this.currentBytes += piece.bytes();
			}
		}

		/** Writes the last job, which reaches to the end of the key space. */
		void finish() throws IOException {
			if (!this.current.isEmpty()) {
				write(Key.MAX);
			}
			this.out.flush();
			this.id = new Sha256Digest(HexFormat.of().formatHex(this.digest.digest()));
		}

		private void write(Key end) {
			Key start = (this.jobs == 0) ? Key.MIN : this.current.get(0).first();
			Job job = new Job(this.jobs, start, end, List.copyOf(this.current));
			this.digest.update(
					("job " + job.id() + " " + job.start() + " " + job.end() + "\n").getBytes(StandardCharsets.UTF_8));
			for (Task task : job.tasks()) {
				String line;
				if (task instanceof Task.Value v) {
					line = "value " + v.key() + " " + HexFormat.of().formatHex(v.value());
				}
				else if (task instanceof Task.FileValue f) {
					line = "file " + f.key() + " " + f.path();
				}
				else {
					Task.Blocks b = (Task.Blocks) task;
					line = "blocks " + b.firstKey() + " " + b.path() + " " + b.fileBlock() + " " + b.count();
				}
				this.digest.update((line + "\n").getBytes(StandardCharsets.UTF_8));
			}
			JobsFile.write(this.out, job);
			this.jobs++;
			this.bytes += this.currentBytes;
			this.current = new ArrayList<>();
			this.currentBytes = 0;
		}

		private List<Task> split(Task task) {
			if (!(task instanceof Task.Blocks blocks) || blocks.count() <= this.maxBlocks) {
				return List.of(task);
			}
			List<Task> pieces = new ArrayList<>();
			for (int done = 0; done < blocks.count(); done += this.maxBlocks) {
				int n = Math.min(this.maxBlocks, blocks.count() - done);
				pieces.add(new Task.Blocks(blocks.firstKey().plusBlocks(done), blocks.file(), blocks.fileBlock() + done,
						blocks.forkBlock() + done, n, blocks.relation()));
			}
			return pieces;
		}

		int jobs() {
			return this.jobs;
		}

		long bytes() {
			return this.bytes;
		}

		Sha256Digest id() {
			return this.id;
		}

		@Override
		public void close() throws IOException {
			this.out.close();
		}

	}

}
