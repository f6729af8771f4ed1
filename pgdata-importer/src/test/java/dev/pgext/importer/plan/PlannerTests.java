package dev.pgext.importer.plan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.importer.keyspace.Key;
import dev.pgext.importer.keyspace.Keys;
import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.model.Sha256Digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The planner: deterministic, jobs tile the key space, every block lands on exactly one
 * shard, and inconsistent relation segments are refused.
 */
class PlannerTests {

	private static final long SEGMENT = 131072L * 8192;

	@TempDir
	Path dir;

	private final PgControl control = control();

	private final List<ManifestEntry> manifest = List.of(entry("global/pg_control", 8192),
			entry("global/pg_filenode.map", 512), entry("global/1262", 8192), entry("base/5/pg_filenode.map", 512),
			entry("base/5/16384", SEGMENT), entry("base/5/16384.1", 3000 * 8192L), entry("base/5/16384_fsm", 3 * 8192),
			entry("base/5/16390_init", 8192), entry("pg_xact/0000", 8192),
			entry("pg_wal/000000010000000000000001", 1 << 24));

	@Test
	void theSameInputGivesTheSamePlan() {
		ImportPlan a = plan(new ShardIdentity(0, 1, 2048), 256L << 20);
		ImportPlan b = plan(new ShardIdentity(0, 1, 2048), 256L << 20);
		assertThat(a.id()).isEqualTo(b.id());
		assertThat(render(jobs(a))).isEqualTo(render(jobs(b)));
		assertThat(plan(new ShardIdentity(0, 1, 2048), 128L << 20).id()).isNotEqualTo(a.id());
		assertThat(a.skipped()).singleElement().satisfies((s) -> assertThat(s.example()).startsWith("pg_wal/"));
	}

	@Test
	void withWholeFilesNoFileIsSplitOverTwoJobsAndThePlanIdDiffers() {
		ImportPlan split = plan(new ShardIdentity(0, 1, 2048), 64L << 20);
		ImportPlan whole = Planner.plan(this.manifest::forEach, digest(), this.control, new ShardIdentity(0, 1, 2048),
				64L << 20, 1, true, this.dir);
		java.util.Map<String, Set<Integer>> jobsOfFile = new java.util.HashMap<>();
		for (Job job : jobs(whole)) {
			for (Task task : job.tasks()) {
				if (task instanceof Task.Blocks blocks) {
					jobsOfFile.computeIfAbsent(blocks.path(), (p) -> new HashSet<>()).add(job.id());
				}
			}
		}
		assertThat(jobsOfFile).containsKey("base/5/16384").allSatisfy((path, jobs) -> assertThat(jobs).hasSize(1));
		assertThat(whole.bytes()).isEqualTo(split.bytes());
		assertThat(whole.jobCount()).isLessThan(split.jobCount());
		assertThat(whole.id()).isNotEqualTo(split.id());
	}

	@Test
	void jobsTileTheKeySpaceAndStayWithinTheSizeLimit() {
		ImportPlan plan = plan(new ShardIdentity(0, 1, 2048), 64L << 20);
		List<Job> jobs = jobs(plan);
		assertThat(jobs).hasSize(plan.jobCount());
		assertThat(jobs.get(0).start()).isEqualTo(Key.MIN);
		assertThat(jobs.get(jobs.size() - 1).end()).isEqualTo(Key.MAX);
		for (int i = 1; i < jobs.size(); i++) {
			assertThat(jobs.get(i).start()).isEqualTo(jobs.get(i - 1).end());
		}
		for (Job job : jobs) {
			assertThat(job.bytes()).isLessThanOrEqualTo(64L << 20);
			for (Task task : job.tasks()) {
				assertThat(task.first()).isGreaterThanOrEqualTo(job.start()).isLessThan(job.end());
			}
		}
		long pageBytes = SEGMENT + (3000 + 3 + 1 + 1 + 1) * 8192L;
		// plus the control file, relation maps, directories and sizes
		assertThat(plan.bytes()).isBetween(pageBytes + 8192 + 1024, pageBytes + 8192 + 2048);
	}

	@Test
	void everyBlockLandsOnExactlyOneShardAndInitForksOnShardZero() {
		Set<Key> seen = new HashSet<>();
		long pages = 0;
		for (int number = 0; number < 4; number++) {
			ShardIdentity shard = new ShardIdentity(number, 4, 2048);
			for (Job job : jobs(plan(shard, 256L << 20))) {
				for (Task task : job.tasks()) {
					if (task instanceof Task.Blocks blocks && blocks.relation()) {
						for (int i = 0; i < blocks.count(); i++) {
							Key key = blocks.firstKey().plusBlocks(i);
							assertThat(seen.add(key)).as("block %s on two shards", key).isTrue();
							assertThat(shard.shardOf(key)).isEqualTo(number);
							if (key.field5() == Keys.INIT_FORK) {
								assertThat(number).isZero();
							}
						}
						pages += blocks.count();
					}
				}
			}
		}
		assertThat(pages).isEqualTo(131072 + 3000 + 3 + 1 + 1);
	}

	@Test
	void missingOrShortSegmentsAreRefused() {
		List<ManifestEntry> gap = new ArrayList<>(this.manifest);
		gap.removeIf((e) -> e.path().equals("base/5/16384.1"));
		gap.add(entry("base/5/16384.2", 8192));
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> Planner.plan(gap::forEach, digest(), this.control, new ShardIdentity(0, 1, 2048), 1 << 28,
					1, this.dir))
			.withMessageContaining("segment 1 of the relation is missing");
		List<ManifestEntry> shortSegment = new ArrayList<>(this.manifest);
		shortSegment.removeIf((e) -> e.path().equals("base/5/16384"));
		shortSegment.add(entry("base/5/16384", SEGMENT - 8192));
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> Planner.plan(shortSegment::forEach, digest(), this.control, new ShardIdentity(0, 1, 2048),
					1 << 28, 1, this.dir))
			.withMessageContaining("not the last segment");
	}

	/**
	 * The streaming planner sorts the files by key outside the heap; its jobs are the
	 * in-memory planner's, task for task, for files whose path order is not their key
	 * order, several databases, segments, forks and SLRUs, every shard and job size.
	 */
	@Test
	void theJobsAreThoseOfThePlannerThatHeldEverythingInMemory() {
		List<ManifestEntry> files = new ArrayList<>(this.manifest);
		for (String db : List.of("1", "20", "100", "16384")) {
			files.add(entry("base/" + db + "/pg_filenode.map", 512));
			for (String rel : List.of("3", "20", "100", "1259", "16385")) {
				files.add(entry("base/" + db + "/" + rel, 2 * 8192));
				files.add(entry("base/" + db + "/" + rel + "_vm", 8192));
			}
		}
		files.add(entry("base/20/2000", 5000 * 8192L));
		files.add(entry("base/100/pg_internal.init", 100));
		for (String slru : List.of("pg_xact/0001", "pg_xact/000A", "pg_xact/0010", "pg_multixact/offsets/0000",
				"pg_multixact/members/0000", "pg_multixact/members/0001")) {
			files.add(entry(slru, 2 * 8192));
		}
		files.add(entry("pg_xact/0002", 0));
		files.sort(java.util.Comparator.comparing(ManifestEntry::path));
		for (ShardIdentity shard : List.of(new ShardIdentity(0, 1, 2048), new ShardIdentity(1, 4, 2048),
				new ShardIdentity(0, 4, 256))) {
			for (long jobSize : List.of(1L << 20, 40L << 20, 1L << 30)) {
				for (boolean wholeFiles : List.of(false, true)) {
					// a run of a few hundred bytes: the sort merges many sorted runs
					ImportPlan streamed = Planner.plan(files::forEach, digest(), this.control, shard, jobSize, 1,
							wholeFiles, this.dir, 256);
					InMemoryPlanner.Result held = InMemoryPlanner.plan(files::forEach, digest(), this.control, shard,
							jobSize, 1, wholeFiles);
					assertThat(render(jobs(streamed))).as("%s, job size %d, whole files %s", shard, jobSize, wholeFiles)
						.isEqualTo(render(held.jobs()));
					assertThat(streamed.id()).isEqualTo(held.id());
					assertThat(streamed.jobCount()).isEqualTo(held.jobs().size());
					assertThat(streamed.bytes()).isEqualTo(held.jobs().stream().mapToLong(Job::bytes).sum());
					assertThat(streamed.skipped()).isEqualTo(held.skipped());
				}
			}
		}
		assertThat(this.dir).isDirectoryNotContaining((p) -> !p.getFileName().toString().startsWith("plan-jobs-"));
	}

	@Test
	void brokenInputsAreRefusedWithTheMessagesOfThePlannerThatHeldEverythingInMemory() {
		List<List<ManifestEntry>> broken = new ArrayList<>();
		broken.add(without("global/pg_filenode.map"));
		broken.add(without("base/5/pg_filenode.map"));
		broken.add(with(entry("base/7/16384", 8192), entry("base/6/pg_filenode.map", 512)));
		broken.add(with(entry("base/5/16384.3", 8192)));
		broken.add(with(entry("base/5/16400", 100)));
		broken.add(with(entry("pg_xact/0003", 33 * 8192)));
		broken.add(with(entry("base/5/pg_filenode.map", 100)));
		for (List<ManifestEntry> files : broken) {
			String expected = catchThrowableOfType(InvalidPgdataException.class, () -> InMemoryPlanner
				.plan(files::forEach, digest(), this.control, new ShardIdentity(0, 1, 2048), 1 << 28, 1, false))
				.getMessage();
			assertThatExceptionOfType(InvalidPgdataException.class)
				.isThrownBy(() -> Planner.plan(files::forEach, digest(), this.control, new ShardIdentity(0, 1, 2048),
						1 << 28, 1, this.dir))
				.withMessage(expected);
		}
		assertThat(this.dir).isEmptyDirectory();
	}

	private List<ManifestEntry> without(String path) {
		return this.manifest.stream().filter((e) -> !e.path().equals(path)).toList();
	}

	private List<ManifestEntry> with(ManifestEntry... extra) {
		List<ManifestEntry> files = new ArrayList<>(this.manifest);
		files.removeIf((e) -> java.util.Arrays.stream(extra).anyMatch((x) -> x.path().equals(e.path())));
		files.addAll(List.of(extra));
		files.sort(java.util.Comparator.comparing(ManifestEntry::path));
		return files;
	}

	/**
	 * Every field of every task, values as hex: tasks with arrays have no value equality.
	 */
	static List<String> render(List<Job> jobs) {
		List<String> lines = new ArrayList<>();
		for (Job job : jobs) {
			lines.add("job " + job.id() + " " + job.start() + " " + job.end());
			for (Task task : job.tasks()) {
				lines.add((task instanceof Task.Value v)
						? "value " + v.key() + " " + java.util.HexFormat.of().formatHex(v.value()) : task.toString());
			}
		}
		return lines;
	}

	private ImportPlan plan(ShardIdentity shard, long jobSize) {
		return Planner.plan(this.manifest::forEach, digest(), this.control, shard, jobSize, 1, this.dir);
	}

	static List<Job> jobs(ImportPlan plan) {
		try (Stream<Job> jobs = plan.jobs()) {
			return jobs.toList();
		}
	}

	static Sha256Digest digest() {
		return Sha256Digest.of(new byte[0]);
	}

	private static ManifestEntry entry(String path, long size) {
		return new ManifestEntry(path, size, "etag-" + path.hashCode());
	}

	static PgControl control() {
		byte[] file = new byte[8192];
		ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
		b.putLong(0, 7000000000000000000L).putInt(8, 1300).putInt(12, 202209061).putInt(16, 1);
		b.putLong(32, 0x16B3F28L).putLong(40, 0x16B3F28L).putInt(216, 8192).putInt(220, 131072);
		CRC32C crc = new CRC32C();
		crc.update(file, 0, 288);
		b.putInt(288, (int) crc.getValue());
		return PgControl.parse(file);
	}

}
