package dev.pgext.importer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.importer.run.Failpoints;
import dev.pgext.importer.run.ImportLayout;
import dev.pgext.importer.run.IndexPart;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Imports of a real PostgreSQL 15 PGDATA from S3: into one shard and into four, read back
 * from the layers alone, resumed after a crash, replayed, and announced to a control
 * plane that is down for a while.
 */
class ImportIntegrationTests extends ImporterIntegrationTestSupport {

	private static final String PREFIX = PgdataFixture.FULL_PREFIX;

	@BeforeEach
	void upload() {
		PgdataFixture.uploadedOnce(this.storage);
	}

	@Test
	void importIntoOneShardRebuildsTheSourceFilesByteForByteAndPostgresStartsOnThem() throws Exception {
		String timeline = REFERENCE;
		JsonNode status = referenceImport();
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
		assertThat(status.path("progress").path("jobs_done").asInt()).isGreaterThan(3)
			.isEqualTo(status.path("progress").path("jobs_total").asInt());
		assertThat(status.path("skipped").toString()).contains("pg_wal");
		await(Duration.ofSeconds(20), "the shard status object",
				() -> this.storage.head(statusKey(PREFIX, TENANT, timeline, "0001")).isPresent());
		assertThat(new String(this.storage.getBytes(statusKey(PREFIX, TENANT, timeline, "0001")).orElseThrow()))
			.contains("\"done\":true");
		await(Duration.ofSeconds(20), "the upcall", () -> !CONTROL_PLANE.received(timeline).isEmpty());
		assertThat(CONTROL_PLANE.received(timeline).get(0).path("state").asString()).isEqualTo("done");

		Path rebuilt = Path.of("target", "rebuilt-one-shard").toAbsolutePath();
		rebuild(List.of(indexPart(TENANT, "0001", timeline)), rebuilt);
		assertSameFiles(PgdataFixture.pgdata(), rebuilt);
		startAndCount(rebuilt);
	}

	@Test
	void importIntoFourShardsSpreadsTheBlocksAndTogetherTheyRebuildTheSource() throws Exception {
		String timeline = "00000000000000000000000000000004";
		for (int shard = 0; shard < 4; shard++) {
			assertThat(post(SHARDED_TENANT, shard, createBody(timeline, "key-four", this.storage.bucket(), PREFIX))
				.statusCode()).isEqualTo(201);
		}
		List<IndexPart> parts = new ArrayList<>();
		for (int shard = 0; shard < 4; shard++) {
			JsonNode status = awaitEnd(SHARDED_TENANT, shard, timeline, Duration.ofSeconds(90));
			assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
			assertThat(status.path("shard").asString()).isEqualTo(String.format("%02x04", shard));
			IndexPart part = indexPart(SHARDED_TENANT, String.format("%02x04", shard), timeline);
			parts.add(part);
			String statusKey = statusKey(PREFIX, SHARDED_TENANT, timeline, String.format("%02x04", shard));
			await(Duration.ofSeconds(20), "the shard status object", () -> this.storage.head(statusKey).isPresent());
		}
		// every shard holds a share of the pages, none holds them all
		long total = parts.stream().mapToLong((p) -> p.importPgdata().plan().bytesTotal()).sum();
		for (IndexPart part : parts) {
			assertThat(part.importPgdata().plan().bytesTotal()).isGreaterThan(0).isLessThan(total / 2);
		}
		await(Duration.ofSeconds(20), "four upcalls", () -> CONTROL_PLANE.received(timeline).size() >= 4);
		// the four imports ran on the instance's one pool of job-concurrency (2) threads,
		// which outlives them
		assertThat(Thread.getAllStackTraces()
			.keySet()
			.stream()
			.map(Thread::getName)
			.filter((name) -> name.startsWith("import-job-"))).isNotEmpty()
			.allSatisfy((name) -> assertThat(Integer.parseInt(name.substring("import-job-".length()))).isBetween(1, 2));

		Path rebuilt = Path.of("target", "rebuilt-four-shards").toAbsolutePath();
		rebuild(parts, rebuilt);
		assertSameFiles(PgdataFixture.pgdata(), rebuilt);
	}

	@Test
	void anImportStoppedAtAFailpointResumesAndProducesTheSameLayers() throws Exception {
		String crashed = "00000000000000000000000000000011";
		assertThat(referenceImport().path("state").asString()).isEqualTo("done");

		this.failpoints.crashAt(Failpoints.AFTER_JOB, 3);
		post(TENANT, 0, createBody(crashed, "key-crashed", this.storage.bucket(), PREFIX));
		await(Duration.ofSeconds(60), "the crash", () -> !this.imports.isRunning(TENANT, 0, crashed));
		IndexPart stopped = indexPart(TENANT, "0001", crashed);
		assertThat(stopped.importPgdata().state()).isEqualTo(IndexPart.State.IN_PROGRESS);
		assertThat(stopped.importPgdata().finishedJobs()).hasSizeGreaterThanOrEqualTo(3)
			.hasSizeLessThan(stopped.importPgdata().plan().jobs());

		// a run killed while planning leaves its sort files behind
		Path runDirectory = workDirectory("").resolve(TENANT + "-0001-" + crashed + "-plan");
		Path leftover = Files.createDirectories(runDirectory).resolve("plan-files-1.unsorted");
		Files.writeString(leftover, "left by a killed run");

		// what a restarted instance does at start
		assertThat(this.imports.resumeAll()).isGreaterThanOrEqualTo(1);
		JsonNode status = awaitEnd(TENANT, 0, crashed, Duration.ofSeconds(90));
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
		assertThat(indexPart(TENANT, "0001", crashed).importPgdata().finishedJobs())
			.isEqualTo(indexPart(TENANT, "0001", REFERENCE).importPgdata().finishedJobs());
		// the resumed run emptied the directory, planned in it and removed it when done
		assertThat(runDirectory).doesNotExist();
	}

	@Test
	void aFinishedLayerReplacedByGarbageOfTheSameSizeIsRebuiltWhenTheImportResumes() throws Exception {
		String crashed = "00000000000000000000000000000012";
		assertThat(referenceImport().path("state").asString()).isEqualTo("done");

		this.failpoints.crashAt(Failpoints.AFTER_JOB, 3);
		post(TENANT, 0, createBody(crashed, "key-garbled", this.storage.bucket(), PREFIX));
		await(Duration.ofSeconds(60), "the crash", () -> !this.imports.isRunning(TENANT, 0, crashed));
		IndexPart stopped = indexPart(TENANT, "0001", crashed);
		assertThat(stopped.importPgdata().state()).isEqualTo(IndexPart.State.IN_PROGRESS);
		IndexPart.FinishedJob victim = stopped.importPgdata().finishedJobs().get(0);
		String layerKey = ImportLayout.layer(stopped.id(), victim.layer());
		byte[] garbage = new byte[(int) victim.size()];
		new java.util.Random(7).nextBytes(garbage);
		this.storage.put(layerKey, garbage, "application/octet-stream");

		assertThat(this.imports.resumeAll()).isGreaterThanOrEqualTo(1);
		JsonNode status = awaitEnd(TENANT, 0, crashed, Duration.ofSeconds(90));
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
		assertThat(indexPart(TENANT, "0001", crashed).importPgdata().finishedJobs())
			.isEqualTo(indexPart(TENANT, "0001", REFERENCE).importPgdata().finishedJobs());
		assertThat(dev.pgext.model.Sha256Digest.of(this.storage.getBytes(layerKey).orElseThrow()).hex())
			.isEqualTo(victim.sha256());
	}

	@Test
	void theSameKeyAgainGetsTheSameTimelineAndAnotherKeyConflicts() throws Exception {
		JsonNode first = referenceImport();
		var again = post(TENANT, 0, createBody(REFERENCE, "key-reference", this.storage.bucket(), PREFIX));
		assertThat(again.statusCode()).isEqualTo(201);
		assertThat(JSON.readTree(again.body()).path("started_at")).isEqualTo(first.path("started_at"));
		assertThat(JSON.readTree(again.body()).path("state").asString()).isEqualTo("done");
		var other = post(TENANT, 0, createBody(REFERENCE, "key-b", this.storage.bucket(), PREFIX));
		assertThat(other.statusCode()).isEqualTo(409);
		assertThat(JSON.readTree(other.body()).path("type").asString())
			.isEqualTo("https://pgext.dev/problems/idempotency-conflict");
		var moved = post(TENANT, 0, createBody(REFERENCE, "key-reference", this.storage.bucket(), "dumps/elsewhere"));
		assertThat(moved.statusCode()).isEqualTo(409);
	}

	@Test
	void theUpcallIsRetriedUntilTheControlPlaneIsBack() throws Exception {
		String timeline = "00000000000000000000000000000030";
		// how the upcall is retried does not depend on what was imported: a small real
		// subset of the fixture (the control file, catalogs of each kind, a commit log
		// segment) imports in a moment
		String prefix = "dumps/upcall";
		PgdataFixture.upload(this.storage, prefix, PgdataFixture.pgdata(), List.of("global/pg_control",
				"global/pg_filenode.map", "global/1262", "base/1/pg_filenode.map", "base/1/1259", "pg_xact/0000"));
		CONTROL_PLANE.down();
		try {
			post(TENANT, 0, createBody(timeline, "key-upcall", this.storage.bucket(), prefix));
			JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(90));
			assertThat(status.path("state").asString()).isEqualTo("done");
			Awaitility.await("no upcall while the control plane is down")
				.during(Duration.ofSeconds(1))
				.atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> !JSON.readTree(get(TENANT, 0, timeline).body()).path("upcall_delivered").asBoolean()
						&& CONTROL_PLANE.received(timeline).isEmpty());
		}
		finally {
			CONTROL_PLANE.up();
		}
		await(Duration.ofSeconds(20), "the upcall", () -> !CONTROL_PLANE.received(timeline).isEmpty());
		await(Duration.ofSeconds(20), "upcall_delivered", () -> {
			try {
				return JSON.readTree(get(TENANT, 0, timeline).body()).path("upcall_delivered").asBoolean();
			}
			catch (Exception ex) {
				return false;
			}
		});
	}

	@Test
	void cancellingAnImportStopsItAndRecordsTheCancellationAndCancellingAgainAnswersTheSame() throws Exception {
		String timeline = "00000000000000000000000000000040";
		Failpoints.Pause pause = this.failpoints.pause(Failpoints.AFTER_PLAN);
		JsonNode first;
		try {
			post(TENANT, 0, createBody(timeline, "key-cancel", this.storage.bucket(), PREFIX));
			assertThat(pause.awaitReached(Duration.ofSeconds(60))).isTrue();
			var cancelled = delete(TENANT, 0, timeline);
			assertThat(cancelled.statusCode()).isEqualTo(200);
			first = JSON.readTree(cancelled.body());
			assertThat(first.path("state").asString()).isEqualTo("cancelled");
			assertThat(first.path("error").asString()).isEqualTo("cancelled on request");
			assertThat(first.path("finished_at").isNull()).isFalse();
			// the stopped run has not left yet (it is held at the failpoint): a GET says
			// what was recorded, not what the run last wrote
			assertThat(JSON.readTree(get(TENANT, 0, timeline).body())).isEqualTo(first);
		}
		finally {
			this.failpoints.disarm(Failpoints.AFTER_PLAN);
			pause.release();
		}
		await(Duration.ofSeconds(30), "the run to stop", () -> !this.imports.isRunning(TENANT, 0, timeline));
		assertThat(JSON.readTree(get(TENANT, 0, timeline).body())).isEqualTo(first);
		// DELETE is idempotent: a cancelled import is answered as it is, not as one that
		// ended otherwise (409)
		var again = delete(TENANT, 0, timeline);
		assertThat(again.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(again.body())).isEqualTo(first);
	}

	@Test
	void theStatusOfAnImportInProgressSaysWhichPhaseItIsIn() throws Exception {
		String timeline = "00000000000000000000000000000070";
		String prefix = "dumps/phases";
		var created = post(TENANT, 0, createBody(timeline, "key-phases", this.storage.bucket(), prefix));
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(JSON.readTree(created.body()).path("phase").asString()).isEqualTo("waiting_for_upload");
		assertThat(phase(timeline)).isEqualTo("waiting_for_upload");

		Failpoints.Pause listing = this.failpoints.pause(Failpoints.AFTER_UPLOAD);
		Failpoints.Pause planning = this.failpoints.pause(Failpoints.AFTER_LISTING);
		Failpoints.Pause importing = this.failpoints.pause(Failpoints.AFTER_PLAN);
		try {
			PgdataFixture.upload(this.storage, prefix, PgdataFixture.pgdata(), List.of("global/pg_control",
					"global/pg_filenode.map", "global/1262", "base/1/pg_filenode.map", "base/1/1259", "pg_xact/0000"));
			assertThat(listing.awaitReached(Duration.ofSeconds(60))).isTrue();
			assertThat(phase(timeline)).isEqualTo("listing");
			listing.release();
			assertThat(planning.awaitReached(Duration.ofSeconds(60))).isTrue();
			assertThat(phase(timeline)).isEqualTo("planning");
			planning.release();
			assertThat(importing.awaitReached(Duration.ofSeconds(60))).isTrue();
			assertThat(phase(timeline)).isEqualTo("importing");
		}
		finally {
			for (String failpoint : List.of(Failpoints.AFTER_UPLOAD, Failpoints.AFTER_LISTING, Failpoints.AFTER_PLAN)) {
				this.failpoints.disarm(failpoint);
			}
			listing.release();
			planning.release();
			importing.release();
		}
		JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(90));
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
		assertThat(status.path("phase").isNull()).as(status.toString()).isTrue();
	}

	/** The phase the status of {@code timeline}, shard 0 of {@link #TENANT}, names. */
	private String phase(String timeline) throws Exception {
		JsonNode status = JSON.readTree(get(TENANT, 0, timeline).body());
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("in_progress");
		return status.path("phase").asString();
	}

	@Test
	void badRequestsGetProblems() throws Exception {
		var invalid = post(TENANT, 0, "{\"timeline_id\":\"nothex\",\"import_pgdata\":{}}");
		assertThat(invalid.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(invalid.body()).path("type").asString())
			.isEqualTo("https://pgext.dev/problems/invalid-request");
		var traversal = post(TENANT, 0,
				createBody("00000000000000000000000000000050", "k", this.storage.bucket(), "../etc"));
		assertThat(traversal.statusCode()).isEqualTo(400);
		var unknownShard = post(TENANT, 3, createBody("00000000000000000000000000000050", "k", "b1", "p"));
		assertThat(unknownShard.statusCode()).isEqualTo(404);
		assertThat(JSON.readTree(unknownShard.body()).path("type").asString())
			.isEqualTo("https://pgext.dev/problems/unknown-shard");
		var missing = get(TENANT, 0, "0000000000000000000000000000ffff");
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(post("NOT-A-TENANT", 0, "{}").statusCode()).isEqualTo(400);
	}

	@Test
	void anInputLocationInsideTheImportersOwnOutputIsRefused() throws Exception {
		String timeline = "00000000000000000000000000000060";
		String bucket = this.storage.bucket();
		for (String prefix : List.of("tenants", "tenants/", "tenants/" + TENANT + "-0001/timelines")) {
			var refused = post(TENANT, 0, createBody(timeline, "k", bucket, prefix));
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
			JsonNode problem = JSON.readTree(refused.body());
			assertThat(problem.path("type").asString())
				.isEqualTo("https://pgext.dev/problems/location-overlaps-output");
			assertThat(problem.path("detail").asString()).startsWith("the input location (bucket '" + bucket
					+ "', prefix '" + ImportLayout.inputPrefix(prefix) + "') overlaps where the importer writes");
		}
		var neon = postJson("/v1/tenant/" + TENANT + "/timeline", """
				{"new_timeline_id": "%s", "import_pgdata": {"idempotency_key": "k",
				 "location": {"AwsS3": {"region": "us-east-1", "bucket": "%s", "key": "tenants/x"}}}}
				""".formatted(timeline, bucket));
		assertThat(neon.statusCode()).as(neon.body()).isEqualTo(400);
		assertThat(JSON.readTree(neon.body()).path("msg").asString()).contains("overlaps where the importer writes");
		// nothing was recorded
		assertThat(
				this.storage.head(ImportLayout.TENANTS + TENANT + "-0001/timelines/" + timeline + "/index_part.json"))
			.isEmpty();

		// the same prefix in another bucket is another location
		String elsewhere = "00000000000000000000000000000061";
		assertThat(post(TENANT, 0, createBody(elsewhere, "k", "no-such-bucket-here", "tenants/x")).statusCode())
			.isEqualTo(201);
		assertThat(awaitEnd(TENANT, 0, elsewhere, Duration.ofSeconds(60)).path("error").asString())
			.contains("bucket 'no-such-bucket-here' does not exist");
	}

	/**
	 * Adds what a compute provides (configuration, empty state directories, fresh WAL)
	 * and starts Postgres.
	 */
	private static void startAndCount(Path rebuilt) throws Exception {
		Path source = PgdataFixture.pgdata();
		for (String dir : List.of("pg_wal/archive_status", "pg_commit_ts", "pg_subtrans", "pg_twophase", "pg_tblspc",
				"pg_notify", "pg_serial", "pg_snapshots", "pg_stat", "pg_stat_tmp", "pg_dynshmem", "pg_replslot",
				"pg_logical/snapshots", "pg_logical/mappings", "pg_multixact/members", "pg_multixact/offsets")) {
			Files.createDirectories(rebuilt.resolve(dir));
		}
		for (String file : PgdataFixture.files(source)) {
			if (file.endsWith("PG_VERSION") || file.endsWith(".conf")) {
				Files.createDirectories(rebuilt.resolve(file).getParent());
				Files.copy(source.resolve(file), rebuilt.resolve(file));
			}
		}
		try (var walk = Files.walk(rebuilt)) {
			for (Path p : walk.toList()) {
				Files.setPosixFilePermissions(p,
						PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwx------" : "rw-------"));
			}
		}
		PostgresInstall install = PostgresInstalls.shared(15);
		Path resetwal = Path.of("/usr/lib/postgresql/15/bin/pg_resetwal");
		if (Files.isExecutable(resetwal)) {
			// a fresh WAL segment holding just a checkpoint, as a compute would
			// synthesize it
			PostgresCluster.run(List.of(resetwal.toString(), "-D", rebuilt.toString()), Duration.ofMinutes(1));
		}
		else {
			// the relocatable binaries have no pg_resetwal: take the source's WAL, which
			// adds no page data
			try (var wal = Files.list(source.resolve("pg_wal"))) {
				for (Path segment : wal.filter(Files::isRegularFile).toList()) {
					Files.copy(segment, rebuilt.resolve("pg_wal").resolve(segment.getFileName()));
				}
			}
		}
		try (PostgresCluster cluster = PostgresCluster.existing(install, rebuilt).start(Map.of())) {
			long[] counts = PgdataFixture.rowCounts(cluster);
			assertThat(counts[0]).isEqualTo(PgdataFixture.ITEMS);
			assertThat(counts[1]).isEqualTo(20000L * 32);
			assertThat(counts[2]).isEqualTo(PgdataFixture.NOTES);
		}
	}

}
