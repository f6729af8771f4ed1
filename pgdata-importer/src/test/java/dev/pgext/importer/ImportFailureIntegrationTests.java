package dev.pgext.importer;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import tools.jackson.databind.JsonNode;

import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.importer.run.Failpoints;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Damaged, incomplete, unsupported or changing input: each import fails with a reason a
 * human can act on, recorded in the status and in the shard status object, and the
 * service keeps serving.
 */
class ImportFailureIntegrationTests extends ImporterIntegrationTestSupport {

	/**
	 * A small but real subset of the fixture: the control file, a catalog of each kind, a
	 * commit log segment.
	 */
	private static final List<String> BASE = List.of("global/pg_control", "global/pg_filenode.map", "global/1262",
			"base/1/pg_filenode.map", "base/1/1259", "base/1/PG_VERSION", "pg_xact/0000");

	private static final AtomicInteger SEQUENCE = new AtomicInteger(0x100);

	@Test
	void aTruncatedRelationSegmentFailsTheImport() throws Exception {
		byte[] file = read("base/1/1259");
		JsonNode status = importOf(Map.of("base/1/1259", java.util.Arrays.copyOf(file, file.length - 100)));
		assertThat(status.path("error").asString()).contains("base/1/1259")
			.contains("not a whole number of 8 KiB pages");
	}

	@Test
	void aLastSegmentCutShortOnAPageBoundaryFailsAgainstTheUploadsFileListNamingTheFile() throws Exception {
		// one page less is still a whole number of pages: only a list that knows the size
		// can tell
		byte[] file = read("base/1/1259");
		String prefix = "listed/cut";
		String timeline = upload(prefix, Map.of("base/1/1259", java.util.Arrays.copyOf(file, file.length - 8192)));
		PgdataFixture.markDone(this.storage, prefix, PgdataFixture.pgdata(), BASE);
		post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), prefix));
		JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
		assertThat(status.path("state").asString()).isEqualTo("failed");
		assertThat(status.path("error").asString())
			.isEqualTo("'base/1/1259' is " + (file.length - 8192) + " bytes, but the file list of 'status/pgdata' says "
					+ file.length + ": the file is truncated or changed");
	}

	@Test
	void aLastSegmentCutShortOnAPageBoundaryFailsAgainstTheBackupManifestNamingTheFile() throws Exception {
		String good = "manifest/good";
		String done = upload(good,
				Map.of(BackupManifestText.FILE, BackupManifestText.of(PgdataFixture.pgdata(), BASE)));
		post(TENANT, 0, createBody(done, "k", this.storage.bucket(), good));
		JsonNode imported = awaitEnd(TENANT, 0, done, Duration.ofSeconds(60));
		assertThat(imported.path("state").asString()).as(imported.toString()).isEqualTo("done");
		assertThat(imported.path("skipped").toString()).contains("backup_manifest");

		byte[] file = read("base/1/1259");
		String cut = "manifest/cut";
		String failed = upload(cut, Map.of(BackupManifestText.FILE, BackupManifestText.of(PgdataFixture.pgdata(), BASE),
				"base/1/1259", java.util.Arrays.copyOf(file, file.length - 8192)));
		post(TENANT, 0, createBody(failed, "k", this.storage.bucket(), cut));
		JsonNode status = awaitEnd(TENANT, 0, failed, Duration.ofSeconds(60));
		assertThat(status.path("error").asString()).isEqualTo("'base/1/1259' is " + (file.length - 8192)
				+ " bytes, but backup_manifest says " + file.length + ": the file is truncated or changed");
	}

	@Test
	void aFileWhoseBytesDifferFromTheUploadsFileListFailsNamingTheFile() throws Exception {
		// a changed byte inside a tuple: the page header stays sane and there are no data
		// checksums
		byte[] file = read("base/1/1259");
		file[8192 * 2 + 6000] ^= 0x01;
		String prefix = "listed/changed";
		String timeline = upload(prefix, Map.of("base/1/1259", file));
		PgdataFixture.markDone(this.storage, prefix, PgdataFixture.pgdata(), BASE);
		post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), prefix));
		JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
		assertThat(status.path("state").asString()).isEqualTo("failed");
		assertThat(status.path("error").asString())
			.startsWith("'base/1/1259' does not match the file list of 'status/pgdata': its SHA256 is ");
	}

	@Test
	void anUploadMatchingItsFileListImportsAndAFileMissingFromTheListIsRefused() throws Exception {
		String prefix = "listed/good";
		String timeline = upload(prefix, Map.of());
		PgdataFixture.markDone(this.storage, prefix, PgdataFixture.pgdata(), BASE);
		post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), prefix));
		JsonNode done = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
		assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("done");

		String missing = "listed/missing";
		String other = upload(missing, Map.of());
		PgdataFixture.markDone(this.storage, missing, PgdataFixture.pgdata(), BASE.subList(0, BASE.size() - 1));
		post(TENANT, 0, createBody(other, "k", this.storage.bucket(), missing));
		JsonNode failed = awaitEnd(TENANT, 0, other, Duration.ofSeconds(60));
		assertThat(failed.path("error").asString())
			.isEqualTo("'pg_xact/0000' was uploaded but is not listed in the file list of 'status/pgdata'");
	}

	@Test
	void twoTimelinesImportingOnePrefixKeepTheirOwnCompletionStatus() throws Exception {
		String prefix = "shared/prefix";
		String good = upload(prefix, Map.of());
		post(TENANT, 0, createBody(good, "k", this.storage.bucket(), prefix));
		assertThat(awaitEnd(TENANT, 0, good, Duration.ofSeconds(60)).path("state").asString()).isEqualTo("done");
		String bad = failAfterPlanByChangingAFile(prefix);
		String goodStatus = statusKey(prefix, TENANT, good, "0001");
		String badStatus = statusKey(prefix, TENANT, bad, "0001");
		await(Duration.ofSeconds(20), "the failed import's status object",
				() -> this.storage.head(badStatus).isPresent());
		assertThat(new String(this.storage.getBytes(badStatus).orElseThrow(), StandardCharsets.UTF_8))
			.contains("\"done\":false");
		assertThat(new String(this.storage.getBytes(goodStatus).orElseThrow(), StandardCharsets.UTF_8))
			.isEqualTo("{\"done\":true}");
	}

	@Test
	void aFailedImportRetriedWithTheSameKeyContinuesFromItsPlanAndEndsDone() throws Exception {
		String prefix = "retry/input";
		upload(prefix, Map.of());
		String timeline = failAfterPlanByChangingAFile(prefix);
		// the uploader puts the original bytes back (same ETag) and asks for a retry
		this.storage.put(prefix + "/pgdata/base/1/1259", read("base/1/1259"), "application/octet-stream");
		await(Duration.ofSeconds(20), "the failure to be announced",
				() -> !this.imports.isRunning(TENANT, 0, timeline));
		HttpResponse<String> retried = retry(TENANT, 0, timeline);
		assertThat(retried.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(retried.body()).path("state").asString()).isEqualTo("in_progress");
		JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
		assertThat(status.path("idempotency_key").asString()).isEqualTo("k");
		await(Duration.ofSeconds(20), "the done status object",
				() -> new String(this.storage.getBytes(statusKey(prefix, TENANT, timeline, "0001")).orElseThrow(),
						StandardCharsets.UTF_8)
					.equals("{\"done\":true}"));

		HttpResponse<String> again = retry(TENANT, 0, timeline);
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(JSON.readTree(again.body()).path("type").asString())
			.isEqualTo("https://pgext.dev/problems/import-not-failed");
	}

	/**
	 * Starts an import of {@code prefix} and changes a file under it once the plan is
	 * made; returns the failed timeline.
	 */
	private String failAfterPlanByChangingAFile(String prefix) throws Exception {
		String timeline = String.format("%032x", SEQUENCE.getAndIncrement());
		Failpoints.Pause pause = this.failpoints.pause(Failpoints.AFTER_PLAN);
		try {
			post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), prefix));
			assertThat(pause.awaitReached(Duration.ofSeconds(30))).isTrue();
			byte[] changed = read("base/1/1259");
			changed[8192 * 2 + 4000] ^= 1;
			this.storage.put(prefix + "/pgdata/base/1/1259", changed, "application/octet-stream");
		}
		finally {
			this.failpoints.disarm(Failpoints.AFTER_PLAN);
			pause.release();
		}
		JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
		assertThat(status.path("state").asString()).isEqualTo("failed");
		return timeline;
	}

	@Test
	void aGarbledControlFileFailsItsCrcCheck() throws Exception {
		byte[] control = read("global/pg_control");
		for (int i = 100; i < 200; i++) {
			control[i] ^= 0x5A;
		}
		assertThat(importOf(Map.of("global/pg_control", control)).path("error").asString())
			.contains("pg_control fails its CRC check");
	}

	@Test
	void aControlFileOfAnUnsupportedVersionIsRefused() throws Exception {
		byte[] control = read("global/pg_control");
		ByteBuffer.wrap(control).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 201909212);
		assertThat(importOf(Map.of("global/pg_control", recrc(control))).path("error").asString())
			.contains("catalog version 201909212");
		byte[] newer = read("global/pg_control");
		ByteBuffer.wrap(newer).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1900);
		assertThat(importOf(Map.of("global/pg_control", newer)).path("error").asString())
			.contains("pg_control_version 1900");
	}

	@Test
	void aClusterThatWasNotShutDownCleanlyIsRefused() throws Exception {
		byte[] control = read("global/pg_control");
		ByteBuffer.wrap(control).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 6);
		assertThat(importOf(Map.of("global/pg_control", recrc(control))).path("error").asString())
			.contains("not shut down cleanly (pg_control state: in production)");
	}

	@Test
	void filesClaimingHugeSizesAreRefusedBeforeTheyAreRead() throws Exception {
		assertThat(importOf(Map.of("global/pg_control", new byte[4 << 20])).path("error").asString())
			.contains("global/pg_control' is 4194304 bytes");
		assertThat(importOf(Map.of("pg_xact/0001", new byte[2 << 20])).path("error").asString())
			.contains("pg_xact/0001' is 2097152 bytes");
	}

	@Test
	void unknownFileNamesAreRefused() throws Exception {
		assertThat(
				importOf(Map.of("base/1/notes.txt", "hello".getBytes(StandardCharsets.UTF_8))).path("error").asString())
			.contains("unknown file 'base/1/notes.txt'");
		assertThat(importOf(Map.of("base/1/1259.x", new byte[8192])).path("error").asString())
			.contains("unknown file 'base/1/1259.x'");
	}

	@Test
	void stateThatWouldBeLostIsRefusedLoudly() throws Exception {
		assertThat(importOf(Map.of("pg_tblspc/16400/PG_15_202209061/5/16401", new byte[8192])).path("error").asString())
			.contains("non-default tablespace (OID 16400)");
		assertThat(importOf(Map.of("pg_twophase/000002E4", new byte[200])).path("error").asString())
			.contains("prepared transaction (000002E4)");
		assertThat(importOf(Map.of("pg_replslot/sub1/state", new byte[200])).path("error").asString())
			.contains("replication slot (sub1)");
	}

	@Test
	void damagedPagesAreFound() throws Exception {
		byte[] header = read("base/1/1259");
		ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putShort(8192 + 12, (short) 9000);
		assertThat(importOf(Map.of("base/1/1259", header)).path("error").asString())
			.contains("'base/1/1259' block 1: invalid page header");
		byte[] future = read("base/1/1259");
		ByteBuffer.wrap(future).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x7F);
		assertThat(importOf(Map.of("base/1/1259", future)).path("error").asString())
			.contains("'base/1/1259' block 0: page LSN 7F/")
			.contains("past the shutdown checkpoint");
	}

	@Test
	void inputChangedAfterTheManifestFroze() throws Exception {
		String prefix = "bad/changed";
		upload(prefix, Map.of());
		String timeline = failAfterPlanByChangingAFile(prefix);
		JsonNode status = JSON.readTree(get(TENANT, 0, timeline).body());
		assertThat(status.path("error").asString())
			.contains("input changed after the manifest was frozen: 'pgdata/base/1/1259'");
	}

	/**
	 * A cluster made by PostgreSQL 18's {@code initdb}, which turns data checksums on by
	 * default (the one {@code PgControlIntegrationTests} reads; it is only read here).
	 */
	@Test
	void aClusterWithDataChecksumsIsVerifiedPageByPage() throws Exception {
		Path pgdata = FreshClusters.of(18);
		assertThat(PgControl.parse(Files.readAllBytes(pgdata.resolve("global/pg_control"))).dataChecksums()).isTrue();
		List<String> files = PgdataFixture.files(pgdata)
			.stream()
			.filter((f) -> f.startsWith("global/") || f.startsWith("base/1/") || f.startsWith("pg_xact/"))
			.toList();
		String prefix = "checksums/cluster";
		PgdataFixture.upload(this.storage, prefix, pgdata, files);
		String good = "000000000000000000000000000c0001";
		post(TENANT, 0, createBody(good, "k", this.storage.bucket(), prefix));
		JsonNode done = awaitEnd(TENANT, 0, good, Duration.ofSeconds(60));
		assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("done");

		// the same upload with one bit of a page flipped, imported again
		byte[] page = Files.readAllBytes(pgdata.resolve("base/1/1259"));
		page[8192 + 7000] ^= 0x10;
		this.storage.put(prefix + "/pgdata/base/1/1259", page, "application/octet-stream");
		String bad = "000000000000000000000000000c0002";
		post(TENANT, 0, createBody(bad, "k", this.storage.bucket(), prefix));
		JsonNode failed = awaitEnd(TENANT, 0, bad, Duration.ofSeconds(60));
		assertThat(failed.path("error").asString()).contains("'base/1/1259' block 1: data checksum mismatch");
	}

	@Test
	void anImportCreatedBeforeTheUploadEndsWaitsForIt() throws Exception {
		String prefix = "late/upload";
		String timeline = String.format("%032x", SEQUENCE.getAndIncrement());
		assertThat(post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), prefix)).statusCode())
			.isEqualTo(201);
		// the import is waiting for the upload to begin, then for it to end
		awaitStillInProgress(timeline, Duration.ofMillis(1500));
		for (String file : BASE) {
			this.storage.put(prefix + "/pgdata/" + file, read(file), "application/octet-stream");
		}
		this.storage.put(prefix + "/status/pgdata", "{\"done\":false}".getBytes(StandardCharsets.UTF_8),
				"application/json");
		awaitStillInProgress(timeline, Duration.ofSeconds(1));
		PgdataFixture.markDone(this.storage, prefix);
		assertThat(awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60)).path("state").asString()).isEqualTo("done");
	}

	@Test
	void anUploadMarkerWhoseDoneIsNotTrueOrFalseFailsTheImportNamingWhatItSays() throws Exception {
		for (String done : List.of("\"yes\"", "{\"ok\":true}")) {
			String prefix = "bad/" + SEQUENCE.get();
			String timeline = upload(prefix, Map.of());
			this.storage.put(prefix + "/status/pgdata", ("{\"done\":" + done + "}").getBytes(StandardCharsets.UTF_8),
					"application/json");
			post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), prefix));
			JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
			assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("failed");
			assertThat(status.path("error").asString()).isEqualTo("'status/pgdata' has \"done\": "
					+ (done.startsWith("{") ? "an object" : "the string " + done) + ", not true or false");
		}
	}

	/**
	 * Asserts that the import of {@code timeline} stays in progress for {@code duration}.
	 */
	private void awaitStillInProgress(String timeline, Duration duration) {
		Awaitility.await("the import of " + timeline + " to stay in progress")
			.during(duration)
			.atMost(duration.plusSeconds(10))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> JSON.readTree(get(TENANT, 0, timeline).body()).path("state").asString(),
					"in_progress"::equals);
	}

	/**
	 * Most of this test is the importer waiting out its upload-wait timeout (6 s), so it
	 * runs beside the other tests of the class (the module's surefire configuration
	 * enables JUnit's parallel execution; every other test runs in the class's thread).
	 * Its import waits for an upload that never begins and never reaches a failpoint the
	 * other tests arm.
	 */
	@Test
	@Execution(ExecutionMode.CONCURRENT)
	void anUploadThatNeverFinishesFailsAfterTheWaitTimeout() throws Exception {
		String timeline = String.format("%032x", SEQUENCE.getAndIncrement());
		post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), "never/finished"));
		JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
		assertThat(status.path("state").asString()).isEqualTo("failed");
		assertThat(status.path("error").asString()).contains("did not finish within PT6S");
	}

	@Test
	void aMissingInputBucketFailsTheImport() throws Exception {
		String timeline = String.format("%032x", SEQUENCE.getAndIncrement());
		post(TENANT, 0, createBody(timeline, "k", "no-such-bucket-here", "x"));
		JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
		assertThat(status.path("error").asString()).contains("bucket 'no-such-bucket-here' does not exist");
	}

	@Test
	void theServiceKeepsServingAfterFailedImports() throws Exception {
		importOf(Map.of("base/1/junk", new byte[1]));
		HttpResponse<String> health = get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		String prefix = "bad/none";
		String timeline = upload(prefix, Map.of());
		post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), prefix));
		assertThat(awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60)).path("state").asString()).isEqualTo("done");
	}

	/**
	 * Uploads the base subset with {@code overrides} (added or replaced files) and
	 * imports it; returns the failed status.
	 */
	private JsonNode importOf(Map<String, byte[]> overrides) throws Exception {
		String prefix = "bad/" + SEQUENCE.get();
		String timeline = upload(prefix, overrides);
		assertThat(post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), prefix)).statusCode())
			.isEqualTo(201);
		JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("failed");
		// the shard status object follows the recorded state
		String statusKey = statusKey(prefix, TENANT, timeline, "0001");
		await(Duration.ofSeconds(20), "the shard status object", () -> this.storage.head(statusKey).isPresent());
		assertThat(new String(this.storage.getBytes(statusKey).orElseThrow(), StandardCharsets.UTF_8))
			.contains("\"done\":false")
			.contains("\"error\"");
		return status;
	}

	private String upload(String prefix, Map<String, byte[]> overrides) throws Exception {
		Map<String, byte[]> files = new LinkedHashMap<>();
		for (String file : BASE) {
			files.put(file, read(file));
		}
		files.putAll(overrides);
		files.forEach((path, bytes) -> this.storage.put(prefix + "/pgdata/" + path, bytes, "application/octet-stream"));
		PgdataFixture.markDone(this.storage, prefix);
		return String.format("%032x", SEQUENCE.getAndIncrement());
	}

	private static byte[] read(String file) throws Exception {
		return Files.readAllBytes(PgdataFixture.pgdata().resolve(file));
	}

	private static byte[] recrc(byte[] control) {
		CRC32C crc = new CRC32C();
		crc.update(control, 0, 288);
		ByteBuffer.wrap(control).order(ByteOrder.LITTLE_ENDIAN).putInt(288, (int) crc.getValue());
		return control;
	}

}
