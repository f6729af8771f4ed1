package dev.pgext.importer.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.pgext.importer.ImporterIntegrationTestSupport;
import dev.pgext.importer.PgdataFixture;
import dev.pgext.importer.PgdataImporterApplication;
import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.importer.run.IndexPartStore.Versioned;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances never run one import: a live lease keeps others out, an expired one lets
 * the next instance take over, and an instance that lost the import stops at its next
 * write.
 */
class ImportFencingIntegrationTests extends ImporterIntegrationTestSupport {

	private static final List<String> FILES = List.of("global/pg_control", "global/pg_filenode.map", "global/1262",
			"base/1/pg_filenode.map", "base/1/1259", "pg_xact/0000");

	@Test
	void anImportLeasedByALiveInstanceIsLeftAloneUntilTheLeaseRunsOut() throws Exception {
		String prefix = "fence/leased";
		PgdataFixture.upload(this.storage, prefix, PgdataFixture.pgdata(), FILES);
		String timeline = "0000000000000000000000000000fe01";
		IndexPartStore store = store(this.storage);
		IndexPart part = new IndexPart(1, TENANT, timeline, IndexPart.Shard.of(new ShardIdentity(0, 1, 2048)),
				new IndexPart.Import(IndexPart.State.IN_PROGRESS, "k",
						new ImportLocation(this.storage.bucket(), prefix + "/"), Instant.now(), null, null,
						new IndexPart.Owner("other-instance", Instant.now().plusSeconds(3600)), null, List.of(),
						List.of(), false));
		Versioned created = store.create(part).orElseThrow();

		this.imports.resumeAll();
		assertThat(this.imports.isRunning(TENANT, 0, timeline)).isFalse();
		assertThat(store.read(part.id()).orElseThrow().part().importPgdata().owner().instance())
			.isEqualTo("other-instance");

		IndexPart expired = part
			.with(part.importPgdata().withOwner(new IndexPart.Owner("other-instance", Instant.now().minusSeconds(1))));
		store.replace(created, expired).orElseThrow();
		assertThat(this.imports.resumeAll()).isGreaterThanOrEqualTo(1);
		assertThat(awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60)).path("state").asString()).isEqualTo("done");
		assertThat(store.read(part.id()).orElseThrow().part().importPgdata().owner().instance())
			.isEqualTo("importer-under-test");
	}

	@Test
	void anInstanceThatLostTheImportStopsWithoutRecordingProgress() throws Exception {
		String prefix = "fence/stolen";
		PgdataFixture.upload(this.storage, prefix, PgdataFixture.pgdata(), FILES);
		String timeline = "0000000000000000000000000000fe02";
		IndexPartStore store = store(this.storage);
		Failpoints.Pause pause = this.failpoints.pause(Failpoints.AFTER_PLAN);
		ImportId id = new ImportId(TENANT, new ShardIdentity(0, 1, 2048), timeline);
		try {
			post(TENANT, 0, createBody(timeline, "k", this.storage.bucket(), prefix));
			assertThat(pause.awaitReached(Duration.ofSeconds(30))).isTrue();
			Versioned current = store.read(id).orElseThrow();
			store
				.replace(current,
						current.part()
							.with(current.part()
								.importPgdata()
								.withOwner(new IndexPart.Owner("other-instance", Instant.now().plusSeconds(3600)))))
				.orElseThrow();
		}
		finally {
			this.failpoints.disarm(Failpoints.AFTER_PLAN);
			pause.release();
		}
		await(Duration.ofSeconds(30), "the fenced run to stop", () -> !this.imports.isRunning(TENANT, 0, timeline));
		IndexPart after = store.read(id).orElseThrow().part();
		assertThat(after.importPgdata().state()).isEqualTo(IndexPart.State.IN_PROGRESS);
		assertThat(after.importPgdata().owner().instance()).isEqualTo("other-instance");
		assertThat(after.importPgdata().finishedJobs()).isEmpty();
	}

	@Test
	void anotherInstanceTakesOverAtItsStartAnImportWhoseOwnerDied() throws Exception {
		String prefix = "fence/orphaned";
		PgdataFixture.upload(this.storage, prefix, PgdataFixture.pgdata(), FILES);
		String timeline = "0000000000000000000000000000fe03";
		IndexPartStore store = store(this.storage);
		IndexPart part = new IndexPart(1, TENANT, timeline, IndexPart.Shard.of(new ShardIdentity(0, 1, 2048)),
				new IndexPart.Import(IndexPart.State.IN_PROGRESS, "k",
						new ImportLocation(this.storage.bucket(), prefix + "/"), Instant.now(), null, null,
						new IndexPart.Owner("dead-instance", Instant.now().minusSeconds(5)), null, List.of(), List.of(),
						false));
		store.create(part).orElseThrow();
		TestBucket bucket = TestInfrastructure.bucket(ImporterIntegrationTestSupport.class);
		ConfigurableApplicationContext second = new SpringApplicationBuilder(PgdataImporterApplication.class).run(
				"--server.port=0", "--pgext.importer.s3.endpoint=" + bucket.endpoint(),
				"--pgext.importer.s3.bucket=" + bucket.name(), "--pgext.importer.s3.access-key=" + bucket.accessKey(),
				"--pgext.importer.s3.secret-key=" + bucket.secretKey(), "--pgext.importer.instance-id=second-instance",
				"--pgext.importer.work-dir=" + workDirectory("-second"), "--pgext.importer.rescan-interval=1h");
		try {
			await(Duration.ofSeconds(60), "the second instance to finish the import",
					() -> store.read(part.id()).orElseThrow().part().importPgdata().state() == IndexPart.State.DONE);
			assertThat(store.read(part.id()).orElseThrow().part().importPgdata().owner().instance())
				.isEqualTo("second-instance");
		}
		finally {
			second.close();
		}
	}

	private static IndexPartStore store(S3ObjectStore storage) {
		return new IndexPartStore(storage, new S3Reads(storage.client(), S3ObjectStore.retry("test",
				dev.pgext.model.store.ObjectStoreSettings.of(null, storage.bucket(), null, null))));
	}

}
