package dev.pgext.importer;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.testsupport.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Neon control plane's timeline creation, body as Neon's pageserver API publishes it,
 * through a real import from S3 of files of a real PostgreSQL 15 PGDATA: answered as Neon
 * answers (201 with {@code TimelineInfo}, the same again for the same key, 409 for
 * another), and the import is the importer's own, visible at its status route. What
 * Neon's route answers does not depend on how much was imported, so the upload is a small
 * real subset (the control file, catalogs of each kind, a commit log segment); whole
 * imports are {@link ImportIntegrationTests}'.
 */
class NeonTimelineCreateIntegrationTests extends ImporterIntegrationTestSupport {

	private static final String TIMELINE = "4b1d0c9a7e3f25d6b8a0c1e2f3a4b5c6";

	@Test
	void theApiSpeaksJsonOnlyThoughTheClasspathCouldReadXml() throws Exception {
		// the test classpath has Jackson's XML module (the in-process S3 server's), as
		// the
		// local stack's has
		String xml = "<r><timeline_id>" + "0".repeat(31) + "9</timeline_id></r>";
		RawHttp.Response posted = RawHttp.send(this.port,
				"POST /v1/tenants/" + TENANT + "/shards/0/timelines HTTP/1.1\r\nHost: 127.0.0.1\r\n"
						+ "Content-Type: application/xml\r\nContent-Length: " + xml.length()
						+ "\r\nConnection: close\r\n\r\n" + xml);
		RawHttp.Response asked = RawHttp.send(this.port,
				"GET /v1/tenants/" + TENANT + "/shards/0/timelines/" + "0".repeat(32)
						+ " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/xml\r\nConnection: close\r\n\r\n");

		assertThat(posted.status()).as(posted.toString()).isEqualTo(415);
		assertThat(asked.headers().get("content-type")).as(asked.toString()).doesNotContain("xml");
		assertThat(new String(asked.body(), StandardCharsets.UTF_8)).doesNotContain("<");
	}

	@Test
	void requestsRefusedBeforeAnyControllerAreProblemsToo() throws Exception {
		// a form body Tomcat cannot decode: the client's error, in Neon's shape on its
		// route
		String body = "x=%ZZ";
		RawHttp.Response undecodable = RawHttp.send(this.port,
				"POST /v1/tenant/" + TENANT
						+ "/timeline HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
						+ "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
		// a query string Tomcat cannot decode, on an endpoint that reads its parameters
		RawHttp.Response health = RawHttp.send(this.port,
				"GET /actuator/health?x=%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		// a URL Tomcat refuses by itself
		RawHttp.Response refused = RawHttp.send(this.port,
				"GET /v1/tenants/a%2Fb HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

		assertThat(List.of(undecodable, health, refused)).allSatisfy((response) -> {
			assertThat(response.status()).as(response.toString()).isEqualTo(400);
			assertThat(response.headers().get("content-type")).as(response.toString())
				.startsWith("application/problem+json");
			assertThat(JSON.readTree(response.body()).path("type").asString())
				.isEqualTo("https://pgext.dev/problems/invalid-request");
		});
		assertThat(JSON.readTree(undecodable.body()).path("msg").asString())
			.isEqualTo("the request parameters are not valid URL encoding");
	}

	@Test
	void aNeonCreationImportsThePgdataAndAnswersInNeonsShape() throws Exception {
		String prefix = "dumps/neon";
		PgdataFixture.upload(this.storage, prefix, PgdataFixture.pgdata(), List.of("global/pg_control",
				"global/pg_filenode.map", "global/1262", "base/1/pg_filenode.map", "base/1/1259", "pg_xact/0000"));

		HttpResponse<String> created = neonCreate(TENANT, body("neon-key-1", prefix));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		JsonNode info = JSON.readTree(created.body());
		assertThat(info.path("tenant_id").asString()).isEqualTo(TENANT);
		assertThat(info.path("timeline_id").asString()).isEqualTo(TIMELINE);
		assertThat(info.path("ancestor_timeline_id").isNull()).isTrue();

		// the import is the importer's own: its status route follows it to the end
		JsonNode status = awaitEnd(TENANT, 0, TIMELINE, Duration.ofSeconds(90));
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
		assertThat(status.path("idempotency_key").asString()).isEqualTo("neon-key-1");
		assertThat(status.path("location").path("prefix").asString()).isEqualTo(prefix + "/");

		// Neon answers a repeated creation under the same key with 201 and the timeline
		HttpResponse<String> again = neonCreate(TENANT, body("neon-key-1", prefix));
		assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
		JsonNode done = JSON.readTree(again.body());
		assertThat(done.path("state").asString()).isEqualTo("Active");
		assertThat(done.path("pg_version").asInt()).isEqualTo(15);
		assertThat(done.path("last_record_lsn").asString()).matches("[0-9A-F]+/[0-9A-F]+").isNotEqualTo("0/0");
		assertThat(done.path("disk_consistent_lsn").asString()).isEqualTo(done.path("last_record_lsn").asString());

		// and another key for the same timeline with 409
		HttpResponse<String> conflict = neonCreate(TENANT, body("neon-key-2", prefix));
		assertThat(conflict.statusCode()).isEqualTo(409);
		assertThat(conflict.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		JsonNode problem = JSON.readTree(conflict.body());
		assertThat(problem.path("type").asString()).isEqualTo("https://pgext.dev/problems/idempotency-conflict");
		assertThat(problem.path("msg").asString()).isEqualTo(problem.path("detail").asString()).isNotBlank();
	}

	private String body(String key, String prefix) {
		return """
				{"new_timeline_id": "%s", "pg_version": 15,
				 "import_pgdata": {"idempotency_key": "%s",
				                   "location": {"AwsS3": {"region": "us-east-2", "bucket": "%s", "key": "%s"}}}}
				""".formatted(TIMELINE, key, this.storage.bucket(), prefix);
	}

	private HttpResponse<String> neonCreate(String tenantShardId, String body) throws Exception {
		return postJson("/v1/tenant/" + tenantShardId + "/timeline", body);
	}

}
