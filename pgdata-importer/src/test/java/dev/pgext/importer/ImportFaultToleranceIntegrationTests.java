package dev.pgext.importer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.FaultInjectingProxy;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An importer that requires every upload to list its files' sizes and checksums, and
 * whose every S3 request (storage bucket and input alike) goes through a proxy that, when
 * on, fails 30% of the requests (503, 500, reset) and cuts 10% of the response bodies
 * short.
 */
class ImportFaultToleranceIntegrationTests extends ImporterIntegrationTestSupport {

	private static final TestBucket BUCKET = TestInfrastructure.bucket(ImportFaultToleranceIntegrationTests.class);

	private static final FaultInjectingProxy PROXY = new FaultInjectingProxy(BUCKET.endpoint(), 0.30, 0.10, 20);

	@DynamicPropertySource
	static void throughTheProxy(DynamicPropertyRegistry registry) {
		registry.add("pgext.test.importer.endpoint", () -> PROXY.endpoint().toString());
		registry.add("pgext.test.importer.bucket", BUCKET::name);
		registry.add("pgext.test.importer.instance-id", () -> "importer-behind-a-bad-network");
		// four jobs at once: the import meets as many faults, in less time
		registry.add("pgext.test.importer.job-concurrency", () -> "4");
		registry.add("pgext.importer.store-retry-deadline", () -> "3m");
		registry.add("pgext.importer.require-file-list", () -> "true");
	}

	@AfterAll
	static void closeProxy() {
		PROXY.close();
	}

	@Test
	void anImportBehindAStoreThatFailsAndCutsResponsesCompletesWithTheSameBytes() throws Exception {
		// the whole fixture the other importer tests read, uploaded directly; its
		// status/pgdata lists every file's size and SHA-256, so the checksums are
		// verified through the faults too
		TestBucket input = TestInfrastructure.bucket(ImporterIntegrationTestSupport.class);
		String prefix = PgdataFixture.uploadedOnce(PgdataFixture.uploader(input));
		String timeline = "0000000000000000000000000000fa01";
		int requestsBefore = PROXY.requests();
		PROXY.faulty(true);
		JsonNode status;
		try {
			// the request itself may meet a fault: the same key again is the same
			// timeline
			int created = 0;
			for (int attempt = 0; attempt < 10 && created != 201; attempt++) {
				created = post(TENANT, 0, createBody(timeline, "key-flaky", input.name(), prefix)).statusCode();
			}
			assertThat(created).isEqualTo(201);
			status = awaitEnd(TENANT, 0, timeline, Duration.ofMinutes(4));
		}
		finally {
			PROXY.faulty(false);
		}
		LoggerFactory.getLogger(ImportFaultToleranceIntegrationTests.class)
			.info("through the proxy: {} requests, {} failed, {} cut", PROXY.requests() - requestsBefore,
					PROXY.failed(), PROXY.cut());
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
		assertThat(PROXY.requests() - requestsBefore).isGreaterThan(100);
		assertThat(PROXY.failed()).isGreaterThan(20);
		assertThat(PROXY.cut()).isGreaterThan(5);

		Path rebuilt = Path.of("target", "rebuilt-behind-faults").toAbsolutePath();
		rebuild(List.of(indexPart(TENANT, "0001", timeline)), rebuilt);
		assertSameFiles(PgdataFixture.pgdata(), rebuilt);
	}

	@Test
	void anUploadWithoutAFileListFailsWhenOneIsRequired() throws Exception {
		PROXY.faulty(false);
		S3ObjectStore direct = PgdataFixture.uploader(BUCKET);
		String prefix = "unlisted/small";
		List<String> files = List.of("global/pg_control", "global/pg_filenode.map", "global/1262",
				"base/1/pg_filenode.map", "base/1/1259", "pg_xact/0000");
		PgdataFixture.upload(direct, prefix, PgdataFixture.pgdata(), files);
		String timeline = "0000000000000000000000000000fa02";
		assertThat(post(TENANT, 0, createBody(timeline, "key-unlisted", BUCKET.name(), prefix)).statusCode())
			.isEqualTo(201);
		JsonNode status = awaitEnd(TENANT, 0, timeline, Duration.ofSeconds(60));
		assertThat(status.path("state").asString()).isEqualTo("failed");
		assertThat(status.path("error").asString())
			.isEqualTo("the upload carries no file list to verify the files against: neither "
					+ "'pgdata/backup_manifest' nor a \"files\" list in 'status/pgdata' "
					+ "(pgext.importer.require-file-list is on)");
	}

}
