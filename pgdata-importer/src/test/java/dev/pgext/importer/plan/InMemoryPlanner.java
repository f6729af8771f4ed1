package dev.pgext.importer.plan;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

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

/**
 * The planner as it was before it streamed: every imported file and every task held in
 * memory, sorted in the heap. Kept as the reference that {@link Planner}'s jobs must
 * equal for the same input, and as the baseline of the planning benchmark.
 */
public final class InMemoryPlanner {

	/** Bumped whenever the planner or the value encodings change what a plan produces. */
	static final int VERSION = Planner.VERSION;

	private static final int BLOCK = PgControl.BLOCK_SIZE;

	/** An SLRU segment holds at most 32 pages. */
	private static final int SLRU_MAX_BLOCKS = 32;

	private InMemoryPlanner() {
	}

	/**
	 * Plans the import of {@code manifest} for {@code shard}, in one pass over its files.
	 * @param jobSizeBytes soft limit of a job's value bytes (about one layer's size)
	 * @param compressionLevel zstd level of the layers, part of the plan id because it
	 * changes the layer bytes
	 * @throws InvalidPgdataException when the files are not a PGDATA this importer
	 * accepts
	 */
	public static Result plan(Listing manifest, Sha256Digest manifestDigest, PgControl control, ShardIdentity shard,
			long jobSizeBytes, int compressionLevel) {
		return plan(manifest, manifestDigest, control, shard, jobSizeBytes, compressionLevel, false);
	}

	/**
	 * Plans the import of {@code manifest} for {@code shard}, in one pass over its files.
	 * @param jobSizeBytes soft limit of a job's value bytes (about one layer's size)
	 * @param compressionLevel zstd level of the layers, part of the plan id because it
	 * changes the layer bytes
	 * @param wholeFiles never split one file's blocks over two jobs (a job may then
	 * exceed the job size by up to one segment), so that one job reads each file from its
	 * first byte to its last and can check its checksum
	 * @throws InvalidPgdataException when the files are not a PGDATA this importer
	 * accepts
	 */
	public static Result plan(Listing manifest, Sha256Digest manifestDigest, PgControl control, ShardIdentity shard,
			long jobSizeBytes, int compressionLevel, boolean wholeFiles) {
		Map<String, SkippedFiles> skipped = new TreeMap<>();
		Map<List<Integer>, ManifestEntry> relMaps = new TreeMap<>(InMemoryPlanner::compareUnsigned);
		Map<List<Integer>, TreeMap<Integer, ManifestEntry>> forks = new TreeMap<>(InMemoryPlanner::compareUnsigned);
		Map<SlruKind, TreeMap<Integer, ManifestEntry>> slrus = new TreeMap<>();
		for (SlruKind kind : SlruKind.values()) {
			slrus.put(kind, new TreeMap<>());
		}
		long segmentBytes = (long) control.segmentBlocks() * BLOCK;
		manifest.forEach((entry) -> {
			PgdataFile file = PgdataFile.classify(entry.path(), entry.size());
			if (entry.size() < 0) {
				throw new InvalidPgdataException("'" + entry.path() + "' has a negative size");
			}
			if (file instanceof PgdataFile.ControlFile) {
				if (entry.size() != PgControl.FILE_SIZE) {
					throw new InvalidPgdataException("'global/pg_control' is " + entry.size()
							+ " bytes, a control file is " + PgControl.FILE_SIZE + " bytes");
				}
			}
			else if (file instanceof RelMap m) {
				if (entry.size() != RelMapFile.size(control.pgMajor())) {
					throw new InvalidPgdataException(
							"'" + entry.path() + "' is " + entry.size() + " bytes; a PostgreSQL " + control.pgMajor()
									+ " relation map is " + RelMapFile.size(control.pgMajor()));
				}
				relMaps.put(List.of(m.spcnode(), m.dbnode()), entry);
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
				forks.computeIfAbsent(List.of(s.spcnode(), s.dbnode(), s.relnode(), s.fork()), (k) -> new TreeMap<>())
					.put(s.segment(), entry);
			}
			else if (file instanceof SlruSegment s) {
				if (entry.size() % BLOCK != 0 || entry.size() > SLRU_MAX_BLOCKS * BLOCK) {
					throw new InvalidPgdataException("'" + entry.path() + "' is " + entry.size()
							+ " bytes; an SLRU segment is a whole number of 8 KiB pages, at most " + SLRU_MAX_BLOCKS);
				}
				slrus.get(s.kind()).put(s.segment(), entry);
			}
			else if (file instanceof PgdataFile.Skipped s) {
				skipped.merge(s.reason(), new SkippedFiles(s.reason(), 1, entry.path()),
						(a, b) -> new SkippedFiles(a.reason(), a.files() + 1, a.example()));
			}
		});
		List<Task> tasks = new ArrayList<>();
		TreeSet<List<Integer>> databases = new TreeSet<>(InMemoryPlanner::compareUnsigned);
		for (List<Integer> fork : forks.keySet()) {
			databases.add(List.of(fork.get(0), fork.get(1)));
		}
		databases.addAll(relMaps.keySet());
		if (!relMaps.containsKey(List.of(Keys.GLOBAL_TABLESPACE, 0))) {
			throw new InvalidPgdataException("'global/pg_filenode.map' is missing");
		}
		ByteBuffer dbDirectory = ByteBuffer.allocate(4 + databases.size() * 8).putInt(databases.size());
		for (List<Integer> db : databases) {
			dbDirectory.putInt(db.get(0)).putInt(db.get(1));
			ManifestEntry map = relMaps.get(db);
			if (map == null) {
				throw new InvalidPgdataException("database directory " + directory(db.get(0), db.get(1))
						+ " has relation files but no pg_filenode.map");
			}
			tasks.add(new Task.FileValue(Keys.relMap(db.get(0), db.get(1)), map));
			List<List<Integer>> dbForks = forks.keySet()
				.stream()
				.filter((f) -> f.get(0).equals(db.get(0)) && f.get(1).equals(db.get(1)))
				.toList();
			ByteBuffer relDirectory = ByteBuffer.allocate(4 + dbForks.size() * 5).putInt(dbForks.size());
			for (List<Integer> fork : dbForks) {
				relDirectory.putInt(fork.get(2)).put((byte) (int) fork.get(3));
			}
			tasks.add(new Task.Value(Keys.relDirectory(db.get(0), db.get(1)), relDirectory.array()));
		}
		tasks.add(new Task.Value(Keys.dbDirectory(), dbDirectory.array()));
		for (Map.Entry<List<Integer>, TreeMap<Integer, ManifestEntry>> fork : forks.entrySet()) {
			addFork(tasks, fork.getKey(), fork.getValue(), control.segmentBlocks(), shard);
		}
		if (shard.number() == 0) {
			for (Map.Entry<SlruKind, TreeMap<Integer, ManifestEntry>> slru : slrus.entrySet()) {
				addSlru(tasks, slru.getKey(), slru.getValue());
			}
			tasks.add(new Task.Value(Keys.twoPhaseDirectory(), ByteBuffer.allocate(4).putInt(0).array()));
		}
		tasks.add(new Task.Value(Keys.controlFile(), control.raw()));
		tasks.add(new Task.Value(Keys.checkpoint(), control.checkpointBytes()));
		tasks.sort(Comparator.comparing(Task::first));
		List<Job> jobs = chunk(tasks, jobSizeBytes, wholeFiles);
		Sha256Digest id = planId(manifestDigest, shard, jobSizeBytes, compressionLevel, wholeFiles, jobs);
		return new Result(id, jobs, List.copyOf(skipped.values()));
	}

	private static void addFork(List<Task> tasks, List<Integer> fork, TreeMap<Integer, ManifestEntry> segments,
			int segmentBlocks, ShardIdentity shard) {
		int spc = fork.get(0);
		int db = fork.get(1);
		int rel = fork.get(2);
		int forkNumber = fork.get(3);
		long totalBlocks = 0;
		int expected = 0;
		for (Map.Entry<Integer, ManifestEntry> segment : segments.entrySet()) {
			ManifestEntry entry = segment.getValue();
			if (segment.getKey() != expected) {
				throw new InvalidPgdataException(
						"'" + entry.path() + "': segment " + expected + " of the relation is missing");
			}
			int blocks = (int) (entry.size() / BLOCK);
			boolean last = segment.getKey().equals(segments.lastKey());
			if (!last && blocks != segmentBlocks) {
				throw new InvalidPgdataException("'" + entry.path() + "' is " + entry.size()
						+ " bytes but is not the last segment, so it must be a full segment: the file is truncated");
			}
			long base = (long) segment.getKey() * segmentBlocks;
			if (base + blocks > 0xFFFFFFFEL) {
				throw new InvalidPgdataException("'" + entry.path() + "' reaches past the largest block number");
			}
			addOwnedBlocks(tasks, entry, Keys.relBlock(spc, db, rel, forkNumber, (int) base), blocks, shard);
			totalBlocks = base + blocks;
			expected++;
		}
		tasks.add(new Task.Value(Keys.relSize(spc, db, rel, forkNumber),
				ByteBuffer.allocate(4).putInt((int) totalBlocks).array()));
	}

	/** The runs of a segment's blocks that {@code shard} owns, stripe by stripe. */
	private static void addOwnedBlocks(List<Task> tasks, ManifestEntry file, Key first, int blocks,
			ShardIdentity shard) {
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
				tasks.add(new Task.Blocks(first.plusBlocks(runStart), file, runStart, base + runStart, i - runStart,
						true));
				runStart = -1;
			}
			i = upTo;
		}
		if (runStart >= 0) {
			tasks.add(new Task.Blocks(first.plusBlocks(runStart), file, runStart, base + runStart, blocks - runStart,
					true));
		}
	}

	private static void addSlru(List<Task> tasks, SlruKind kind, TreeMap<Integer, ManifestEntry> segments) {
		ByteBuffer directory = ByteBuffer.allocate(4 + segments.size() * 4).putInt(segments.size());
		for (Map.Entry<Integer, ManifestEntry> segment : segments.entrySet()) {
			directory.putInt(segment.getKey());
			int blocks = (int) (segment.getValue().size() / BLOCK);
			if (blocks > 0) {
				tasks.add(new Task.Blocks(Keys.slruBlock(kind, segment.getKey(), 0), segment.getValue(), 0, 0, blocks,
						false));
			}
			tasks.add(new Task.Value(Keys.slruSegmentSize(kind, segment.getKey()),
					ByteBuffer.allocate(4).putInt(blocks).array()));
		}
		tasks.add(new Task.Value(Keys.slruDirectory(kind), directory.array()));
	}

	private static List<Job> chunk(List<Task> tasks, long jobSizeBytes, boolean wholeFiles) {
		int maxBlocks = (int) Math.max(1, Math.min(Integer.MAX_VALUE, jobSizeBytes / BLOCK));
		List<List<Task>> groups = new ArrayList<>();
		List<Task> current = new ArrayList<>();
		long currentBytes = 0;
		for (Task task : tasks) {
			for (Task piece : split(task, maxBlocks)) {
				boolean sameFile = wholeFiles && !current.isEmpty() && piece instanceof Task.Blocks b
						&& current.get(current.size() - 1) instanceof Task.Blocks previous
						&& previous.path().equals(b.path());
				if (!current.isEmpty() && !sameFile && currentBytes + piece.bytes() > jobSizeBytes) {
					groups.add(current);
					current = new ArrayList<>();
					currentBytes = 0;
				}
				current.add(piece);
				currentBytes += piece.bytes();
			}
		}
		if (!current.isEmpty()) {
			groups.add(current);
		}
		List<Job> jobs = new ArrayList<>(groups.size());
		for (int i = 0; i < groups.size(); i++) {
			Key start = (i == 0) ? Key.MIN : groups.get(i).get(0).first();
			Key end = (i == groups.size() - 1) ? Key.MAX : groups.get(i + 1).get(0).first();
			jobs.add(new Job(i, start, end, List.copyOf(groups.get(i))));
		}
		return List.copyOf(jobs);
	}

	private static List<Task> split(Task task, int maxBlocks) {
		if (!(task instanceof Task.Blocks blocks) || blocks.count() <= maxBlocks) {
			return List.of(task);
		}
		List<Task> pieces = new ArrayList<>();
		for (int done = 0; done < blocks.count(); done += maxBlocks) {
			int n = Math.min(maxBlocks, blocks.count() - done);
			pieces.add(new Task.Blocks(blocks.firstKey().plusBlocks(done), blocks.file(), blocks.fileBlock() + done,
					blocks.forkBlock() + done, n, blocks.relation()));
		}
		return pieces;
	}

	private static Sha256Digest planId(Sha256Digest manifestDigest, ShardIdentity shard, long jobSizeBytes,
			int compressionLevel, boolean wholeFiles, List<Job> jobs) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
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
			digest.update(text.toString().getBytes(StandardCharsets.UTF_8));
			for (Job job : jobs) {
				digest.update(("job " + job.id() + " " + job.start() + " " + job.end() + "\n")
					.getBytes(StandardCharsets.UTF_8));
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
					digest.update((line + "\n").getBytes(StandardCharsets.UTF_8));
				}
			}
			return new Sha256Digest(HexFormat.of().formatHex(digest.digest()));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String directory(int spc, int db) {
		return (spc == Keys.GLOBAL_TABLESPACE) ? "global" : "base/" + Integer.toUnsignedString(db);
	}

	private static int compareUnsigned(List<Integer> a, List<Integer> b) {
		for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
			int c = Integer.compareUnsigned(a.get(i), b.get(i));
			if (c != 0) {
				return c;
			}
		}
		return Integer.compare(a.size(), b.size());
	}

	/**
	 * What the in-memory planner produced.
	 *
	 * @param id the plan id
	 * @param jobs every job, held
	 * @param skipped files deliberately not imported
	 */
	public record Result(Sha256Digest id, List<Job> jobs, List<SkippedFiles> skipped) {

	}

}
