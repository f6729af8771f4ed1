package dev.pgext.importer.api;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.importer.run.ImportLocation;
import dev.pgext.importer.run.ImportRejectedException;
import dev.pgext.importer.run.ImportService;
import dev.pgext.importer.run.IndexPart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * Neon's timeline-create route, with bodies as Neon's pageserver API publishes them
 * ({@code TimelineCreateRequest} in its {@code import_pgdata} mode): mapped onto the
 * importer's creation, answered as Neon's {@code TimelineInfo}, refused as problems that
 * also carry Neon's {@code msg}.
 */
@ApiSliceTest
class NeonTimelineControllerTests {

	private static final String TENANT = "0123456789abcdef0123456789abcdef";

	private static final String SHARDED_TENANT = "fedcba9876543210fedcba9876543210";

	private static final String TIMELINE = "de200bd42b49cc1814412c7e592dd6e9";

	/** As a Neon control plane sends it: Neon's field names, the region, a pg_version. */
	private static final String NEON_BODY = """
			{
			  "new_timeline_id": "de200bd42b49cc1814412c7e592dd6e9",
			  "pg_version": 15,
			  "import_pgdata": {
			    "idempotency_key": "Vq2yN5dXs0pLr8Kc3TfB",
			    "location": {
			      "AwsS3": {
			        "region": "us-east-2",
			        "bucket": "neon-imports",
			        "key": "import-pgdata/fast-import/v1/br-wispy-mode-a5pjqfbq"
			      }
			    }
			  }
			}""";

	@Autowired
	private MockMvcTester mvc;

	@MockitoBean
	private ImportService imports;

	@Test
	void aNeonImportBodyCreatesTheTimelineAndIsAnsweredWithNeonsTimelineInfo() {
		ImportLocation location = new ImportLocation("neon-imports",
				"import-pgdata/fast-import/v1/br-wispy-mode-a5pjqfbq");
		given(this.imports.create(TENANT, 0, TIMELINE, "Vq2yN5dXs0pLr8Kc3TfB", location))
			.willReturn(part(TENANT, 1, IndexPart.State.IN_PROGRESS, null, null));
		var response = assertThat(post(TENANT, NEON_BODY)).hasStatus(HttpStatus.CREATED)
			.hasContentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.bodyJson();
		response.extractingPath("$.tenant_id").isEqualTo(TENANT);
		response.extractingPath("$.timeline_id").isEqualTo(TIMELINE);
		response.extractingPath("$.state").isEqualTo("Loading");
		response.extractingPath("$.last_record_lsn").isEqualTo("0/0");
		response.extractingPath("$.ancestor_timeline_id").isNull();
		response.extractingPath("$.pg_version").isNull();
	}

	@Test
	void aShardOfASharedTenantIsNamedAsNeonNamesIt() {
		given(this.imports.create(anyString(), anyInt(), anyString(), anyString(), any()))
			.willReturn(part(SHARDED_TENANT, 4, IndexPart.State.DONE, plan("0/1D3F6A8", 15), null));
		assertThat(post(SHARDED_TENANT + "-0204", NEON_BODY)).hasStatus(HttpStatus.CREATED)
			.bodyJson()
			.satisfies((json) -> assertThat(json.toString()).contains("\"tenant_id\":\"" + SHARDED_TENANT + "-0204\"",
					"\"state\":\"Active\"", "\"last_record_lsn\":\"0/1D3F6A8\"", "\"pg_version\":15"));
		verify(this.imports).create(SHARDED_TENANT, 2, TIMELINE, "Vq2yN5dXs0pLr8Kc3TfB",
				new ImportLocation("neon-imports", "import-pgdata/fast-import/v1/br-wispy-mode-a5pjqfbq"));
	}

	@Test
	void aFailedImportIsABrokenTimelineWithItsReason() {
		given(this.imports.create(anyString(), anyInt(), anyString(), anyString(), any()))
			.willReturn(part(TENANT, 1, IndexPart.State.FAILED, null, "pg_control is not a PostgreSQL 14-18 one"));
		assertThat(post(TENANT, NEON_BODY)).hasStatus(HttpStatus.CREATED)
			.bodyJson()
			.extractingPath("$.state.Broken.reason")
			.asString()
			.contains("pg_control is not a PostgreSQL 14-18 one");
	}

	@Test
	void anotherIdempotencyKeyIsAConflictAsInNeonWithNeonsMsgBesideTheProblem() {
		given(this.imports.create(anyString(), anyInt(), anyString(), anyString(), any()))
			.willThrow(new ImportRejectedException(ImportRejectedException.Kind.IDEMPOTENCY_CONFLICT,
					"timeline exists with another idempotency key"));
		var problem = assertThat(post(TENANT, NEON_BODY)).hasStatus(HttpStatus.CONFLICT)
			.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyJson();
		problem.extractingPath("$.type").isEqualTo("https://pgext.dev/problems/idempotency-conflict");
		problem.extractingPath("$.msg").isEqualTo("timeline exists with another idempotency key");
	}

	@Test
	void neonsBranchAndBootstrapModesAreRefusedAsBadRequests() {
		String branch = """
				{"new_timeline_id": "de200bd42b49cc1814412c7e592dd6e9",
				 "ancestor_timeline_id": "00000000000000000000000000000001", "pg_version": 16}""";
		String bootstrap = """
				{"new_timeline_id": "de200bd42b49cc1814412c7e592dd6e9", "pg_version": 16}""";
		for (String body : List.of(branch, bootstrap)) {
			assertThat(post(TENANT, body)).hasStatus(HttpStatus.BAD_REQUEST)
				.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
				.bodyJson()
				.extractingPath("$.msg")
				.asString()
				.contains("only by import");
		}
		verify(this.imports, never()).create(anyString(), anyInt(), anyString(), anyString(), any());
	}

	@Test
	void aLocationOtherThanAwsS3OrAKeyWithDotSegmentsIsABadRequest() {
		String localFs = NEON_BODY.replace("\"AwsS3\"", "\"LocalFs\"");
		assertThat(post(TENANT, localFs)).hasStatus(HttpStatus.BAD_REQUEST)
			.bodyJson()
			.extractingPath("$.detail")
			.asString()
			.isEqualTo("import_pgdata.location.AwsS3 must be given: the importer reads PGDATA only from S3");
		String dots = NEON_BODY.replace("import-pgdata/fast-import", "import-pgdata/../fast-import");
		assertThat(post(TENANT, dots)).hasStatus(HttpStatus.BAD_REQUEST)
			.bodyJson()
			.extractingPath("$.detail")
			.asString()
			.startsWith("import_pgdata.location.AwsS3.key ");
		verify(this.imports, never()).create(anyString(), anyInt(), anyString(), anyString(), any());
	}

	@Test
	void aLocationNamingBothAwsS3AndLocalFsIsABadRequestNamingTheField() {
		String both = NEON_BODY.replace("\"AwsS3\": {", "\"LocalFs\": {\"path\": \"/tmp/pgdata\"}, \"AwsS3\": {");
		var problem = assertThat(post(TENANT, both)).hasStatus(HttpStatus.BAD_REQUEST)
			.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyJson();
		problem.extractingPath("$.type").isEqualTo("https://pgext.dev/problems/invalid-request");
		problem.extractingPath("$.msg")
			.isEqualTo("import_pgdata.location names both AwsS3 and LocalFs: Neon's location is one of them, and "
					+ "the importer reads only AwsS3");
		verify(this.imports, never()).create(anyString(), anyInt(), anyString(), anyString(), any());
	}

	@Test
	void aShardCountOtherThanTheImportersIsAnUnknownShard() {
		assertThat(post(SHARDED_TENANT + "-0108", NEON_BODY)).hasStatus(HttpStatus.NOT_FOUND)
			.bodyJson()
			.extractingPath("$.type")
			.isEqualTo("https://pgext.dev/problems/unknown-shard");
		assertThat(post(SHARDED_TENANT, NEON_BODY)).hasStatus(HttpStatus.NOT_FOUND);
		verify(this.imports, never()).create(anyString(), anyInt(), anyString(), anyString(), any());
	}

	@Test
	void aMalformedTenantShardIdOrTimelineIdIsABadRequest() {
		assertThat(post(TENANT + "-0402", NEON_BODY)).hasStatus(HttpStatus.BAD_REQUEST)
			.bodyJson()
			.extractingPath("$.type")
			.isEqualTo("https://pgext.dev/problems/invalid-request");
		assertThat(post("not-a-tenant", NEON_BODY)).hasStatus(HttpStatus.BAD_REQUEST);
		assertThat(post(TENANT, NEON_BODY.replace(TIMELINE, "XYZ"))).hasStatus(HttpStatus.BAD_REQUEST)
			.bodyJson()
			.extractingPath("$.detail")
			.asString()
			.isEqualTo("new_timeline_id must be 32 lower-case hex digits");
	}

	@Test
	void aFieldThatBreaksItsRuleIsNamedAsNeonSpellsIt() {
		String body = NEON_BODY.replace("\"neon-imports\"", "\"\"").replace("Vq2yN5dXs0pLr8Kc3TfB", "a key");
		assertThat(post(TENANT, body)).hasStatus(HttpStatus.BAD_REQUEST)
			.bodyJson()
			.extractingPath("$.msg")
			.isEqualTo("import_pgdata.idempotency_key must be printable ASCII without spaces; "
					+ "import_pgdata.location.AwsS3.bucket must not be blank");
		verify(this.imports, never()).create(anyString(), anyInt(), anyString(), anyString(), any());
	}

	private org.springframework.test.web.servlet.assertj.MvcTestResult post(String tenantShardId, String body) {
		return this.mvc.post()
			.uri("/v1/tenant/{tenant_shard_id}/timeline", tenantShardId)
			.contentType(MediaType.APPLICATION_JSON)
			.content(body)
			.exchange();
	}

	private static IndexPart part(String tenant, int count, IndexPart.State state, IndexPart.Plan plan, String error) {
		IndexPart.Import i = new IndexPart.Import(state, "Vq2yN5dXs0pLr8Kc3TfB",
				new ImportLocation("neon-imports", "import-pgdata/fast-import/v1/br-wispy-mode-a5pjqfbq/"),
				Instant.parse("2026-12-01T12:00:00Z"), null, error, null, plan, List.of(), List.of(), false);
		int number = (count == 4) ? 2 : 0;
		return new IndexPart(1, tenant, TIMELINE, IndexPart.Shard.of(new ShardIdentity(number, count, 2048)), i);
	}

	private static IndexPart.Plan plan(String lsn, int pgVersion) {
		return new IndexPart.Plan("plan", "manifest", 3, 2097152, 1, 6291456, lsn, pgVersion, false);
	}

}
