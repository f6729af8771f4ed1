package dev.pgext.importer.plan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

import dev.pgext.importer.keyspace.Key;
import dev.pgext.importer.keyspace.Keys;
import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.model.Sha256Digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The planner: deterministic, jobs tile the key space, every block lands on exactly one
 * shard, and inconsistent relation segments are refused.
 */
class PlannerTests {

	private static final long SEGMENT = 131072L * 8192;

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
		assertThat(a.jobs()).hasSameSizeAs(b.jobs());
		assertThat(plan(new ShardIdentity(0, 1, 2048), 128L << 20).id()).isNotEqualTo(a.id());
		assertThat(a.skipped()).singleElement().satisfies((s) -> assertThat(s.example()).startsWith("pg_wal/"));
	}

	@Test
	void withWholeFilesNoFileIsSplitOverTwoJobsAndThePlanIdDiffers() {
		ImportPlan split = plan(new ShardIdentity(0, 1, 2048), 64L << 20);
		ImportPlan whole = Planner.plan(this.manifest::forEach, digest(), this.control, new ShardIdentity(0, 1, 2048),
				64L << 20, 1, true);
		java.util.Map<String, Set<Integer>> jobsOfFile = new java.util.HashMap<>();
		for (Job job : whole.jobs()) {
			for (Task task : job.tasks()) {
				if (task instanceof Task.Blocks blocks) {
					jobsOfFile.computeIfAbsent(blocks.path(), (p) -> new HashSet<>()).add(job.id());
				}
			}
		}
		assertThat(jobsOfFile).containsKey("base/5/16384").allSatisfy((path, jobs) -> assertThat(jobs).hasSize(1));
		assertThat(whole.bytes()).isEqualTo(split.bytes());
		assertThat(whole.jobs()).hasSizeLessThan(split.jobs().size());
		assertThat(whole.id()).isNotEqualTo(split.id());
	}

	@Test
	void jobsTileTheKeySpaceAndStayWithinTheSizeLimit() {
		ImportPlan plan = plan(new ShardIdentity(0, 1, 2048), 64L << 20);
		assertThat(plan.jobs().get(0).start()).isEqualTo(Key.MIN);
		assertThat(plan.jobs().get(plan.jobs().size() - 1).end()).isEqualTo(Key.MAX);
		for (int i = 1; i < plan.jobs().size(); i++) {
			assertThat(plan.jobs().get(i).start()).isEqualTo(plan.jobs().get(i - 1).end());
		}
		for (Job job : plan.jobs()) {
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
			for (Job job : plan(shard, 256L << 20).jobs()) {
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
			.isThrownBy(
					() -> Planner.plan(gap::forEach, digest(), this.control, new ShardIdentity(0, 1, 2048), 1 << 28, 1))
			.withMessageContaining("segment 1 of the relation is missing");
		List<ManifestEntry> shortSegment = new ArrayList<>(this.manifest);
		shortSegment.removeIf((e) -> e.path().equals("base/5/16384"));
		shortSegment.add(entry("base/5/16384", SEGMENT - 8192));
		assertThatExceptionOfType(InvalidPgdataException.class)
			.isThrownBy(() -> Planner.plan(shortSegment::forEach, digest(), this.control, new ShardIdentity(0, 1, 2048),
					1 << 28, 1))
			.withMessageContaining("not the last segment");
	}

	private ImportPlan plan(ShardIdentity shard, long jobSize) {
		return Planner.plan(this.manifest::forEach, digest(), this.control, shard, jobSize, 1);
	}

	private static Sha256Digest digest() {
		return Sha256Digest.of(new byte[0]);
	}

	private static ManifestEntry entry(String path, long size) {
		return new ManifestEntry(path, size, "etag-" + path.hashCode());
	}

	private static PgControl control() {
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
