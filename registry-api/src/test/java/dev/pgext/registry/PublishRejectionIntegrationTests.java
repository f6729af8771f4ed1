package dev.pgext.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of bad publish gets its own status and problem type, and leaves the catalog
 * and the store exactly as they were: no row, no object, no index change.
 */
class PublishRejectionIntegrationTests extends RegistryIntegrationTest {

	private static final String PROBLEMS = "https://pgext.dev/problems/";

	@Test
	void malformedControlFileIsRejected() {
		byte[] artifact = TestArtifacts.builder()
			.file("share/extension/bad_control.control", "comment = 'unterminated\ndefault_version = '1.0'\n")
			.file("share/extension/bad_control--1.0.sql", "SELECT 1;\n")
			.tarGz();
		assertRejected(ADMIN_TOKEN, "bad_control", Map.of("pg17", artifact), 422, "invalid-control-file");
	}

	@Test
	void controlFileWithAParameterTheServerDoesNotKnowIsRejected() {
		byte[] artifact = TestArtifacts.builder()
			.file("share/extension/odd_control.control", "default_version = '1.0'\nfrobnicate = true\n")
			.file("share/extension/odd_control--1.0.sql", "SELECT 1;\n")
			.tarGz();
		assertRejected(ADMIN_TOKEN, "odd_control", Map.of("pg17", artifact), 422, "invalid-control-file");
	}

	@Test
	void pathTraversalIsRejected() {
		byte[] artifact = TestArtifacts.sqlExtension("traversal")
			.file("share/extension/../../../etc/cron.d/evil", "* * * * * root sh\n")
			.tarGz();
		RegistryClient.Response response = assertRejected(ADMIN_TOKEN, "traversal", Map.of("pg17", artifact), 422,
				"unsafe-path");
		assertThat(response.json().path("detail").asString()).contains("..");
	}

	@Test
	void absolutePathIsRejected() {
		byte[] artifact = TestArtifacts.sqlExtension("absolute").file("/usr/lib/postgresql/evil.so", "x").tarGz();
		RegistryClient.Response response = assertRejected(ADMIN_TOKEN, "absolute", Map.of("pg17", artifact), 422,
				"unsafe-path");
		assertThat(response.json().path("detail").asString()).contains("absolute");
	}

	@Test
	void pathOutsideShareAndLibIsRejected() {
		byte[] artifact = TestArtifacts.sqlExtension("outside").file("bin/postgres", "not a server").tarGz();
		assertRejected(ADMIN_TOKEN, "outside", Map.of("pg17", artifact), 422, "unsafe-path");
	}

	@Test
	void symlinkEntryIsRejected() {
		byte[] artifact = TestArtifacts.sqlExtension("linked").symlink("lib/linked.so", "/etc/passwd").tarGz();
		assertRejected(ADMIN_TOKEN, "linked", Map.of("pg17", artifact), 422, "unsafe-archive-entry");
	}

	@Test
	void oversizeFileIsRejected() {
		byte[] big = new byte[3 * 1024 * 1024];
		new Random(42).nextBytes(big);
		byte[] artifact = TestArtifacts.sqlExtension("oversize").file("lib/oversize.so", big).tarGz();
		assertRejected(ADMIN_TOKEN, "oversize", Map.of("pg17", artifact), 413, "file-too-large");
	}

	@Test
	void archiveBombIsRejected() {
		byte[] zeros = new byte[(int) (1.9 * 1024 * 1024)];
		byte[] artifact = TestArtifacts.sqlExtension("bomb").file("share/bomb/zeros.dat", zeros).tarGz();
		assertThat(artifact.length).isLessThan(zeros.length / 40);
		assertRejected(ADMIN_TOKEN, "bomb", Map.of("pg17", artifact), 422, "archive-bomb");
	}

	@Test
	void unknownPgMajorIsRejected() {
		byte[] artifact = TestArtifacts.sqlExtension("old_major").tarGz();
		assertRejected(ADMIN_TOKEN, "old_major", Map.of("pg13", artifact), 400, "unknown-pg-major");
		assertRejected(ADMIN_TOKEN, "old_major", Map.of("pg99", artifact), 400, "unknown-pg-major");
	}

	@Test
	void versionWithoutInstallScriptOrUpdatePathIsRejected() {
		byte[] artifact = TestArtifacts.builder()
			.file("share/extension/no_path.control", "default_version = '2.0'\n")
			.file("share/extension/no_path--1.0.sql", "SELECT 1;\n")
			.tarGz();
		assertRejected(ADMIN_TOKEN, "no_path", Map.of("pg17", artifact), 422, "not-installable");
	}

	@Test
	void versionReachableThroughUpdateScriptsIsAccepted() {
		byte[] artifact = TestArtifacts.builder()
			.file("share/extension/update_path.control", "default_version = '1.2'\n")
			.file("share/extension/update_path--1.0.sql", "SELECT 1;\n")
			.file("share/extension/update_path--1.0--1.1.sql", "SELECT 1;\n")
			.file("share/extension/update_path--1.1--1.2.sql", "SELECT 1;\n")
			.tarGz();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("update_path", "1.2"),
				Map.of("pg17", artifact));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

	@Test
	void artifactWithoutControlFileOrLibraryIsRejected() {
		byte[] artifact = TestArtifacts.builder().file("share/lonely/data.txt", "data").tarGz();
		assertRejected(ADMIN_TOKEN, "lonely", Map.of("pg17", artifact), 422, "no-extension");
	}

	@Test
	void invalidDistributionNameIsRejected() {
		byte[] artifact = TestArtifacts.sqlExtension("fine_name").tarGz();
		Snapshot before = snapshot();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("bad--name", "1.0"),
				Map.of("pg17", artifact));
		assertThat(response.status()).isEqualTo(422);
		assertThat(response.problemType()).isEqualTo(PROBLEMS + "invalid-name");
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void uploadThatIsNotAnArchiveIsRejected() {
		assertRejected(ADMIN_TOKEN, "not_archive", Map.of("pg17", "just text".getBytes()), 422, "unsupported-archive");
		byte[] truncated = TestArtifacts.sqlExtension("truncated").tarGz();
		assertRejected(ADMIN_TOKEN, "truncated",
				Map.of("pg17", java.util.Arrays.copyOf(truncated, truncated.length / 2)), 400, "invalid-archive");
	}

	@Test
	void publishWithoutTokenIsUnauthenticated() {
		assertRejected(null, "anonymous_pub", Map.of("pg17", TestArtifacts.sqlExtension("anonymous_pub").tarGz()), 401,
				"unauthenticated");
		assertRejected("pgx_made-up", "anonymous_pub",
				Map.of("pg17", TestArtifacts.sqlExtension("anonymous_pub").tarGz()), 401, "invalid-token");
	}

	@Test
	void tokenWithoutPublishScopeIsForbidden() {
		String approver = userToken("approver-only", null, "bundle-approver");
		assertRejected(approver, "approver_pub", Map.of("pg17", TestArtifacts.sqlExtension("approver_pub").tarGz()),
				403, "forbidden");
	}

	@Test
	void expiredTokenIsRejected() {
		String token = userToken("expiring-ci", null, "publish");
		this.jdbc
			.sql("update api_token set expires_at = now() - interval '1 minute' where user_id = "
					+ "(select id from registry_user where name = 'expiring-ci')")
			.update();
		assertRejected(token, "expired_pub", Map.of("pg17", TestArtifacts.sqlExtension("expired_pub").tarGz()), 401,
				"token-expired");
	}

	@Test
	void republishingTheSameVersionIsRejected() {
		Map<String, byte[]> artifacts = Map.of("pg17", TestArtifacts.sqlExtension("republished").tarGz());
		assertThat(publish(ADMIN_TOKEN, null, TestArtifacts.metadata("republished", "1.0"), artifacts).status())
			.isEqualTo(201);
		assertRejected(ADMIN_TOKEN, "republished", artifacts, 409, "version-exists");
	}

	@Test
	void onlyOwnersAndTheirCoMaintainersPublishADistribution() {
		String owner = userToken("owner-alice", null, "publish");
		String other = userToken("other-bob", null, "publish");
		assertThat(publish(owner, null, TestArtifacts.metadata("owned_dist", "1.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("owned_ext").tarGz()))
			.status()).isEqualTo(201);

		Snapshot before = snapshot();
		RegistryClient.Response stranger = publish(other, null, TestArtifacts.metadata("owned_dist", "1.1"),
				Map.of("pg17", TestArtifacts.sqlExtension("owned_ext").tarGz()));
		assertThat(stranger.status()).isEqualTo(403);
		assertThat(stranger.problemType()).isEqualTo(PROBLEMS + "forbidden");
		assertThat(snapshot()).isEqualTo(before);
		// nor can another distribution take over the extension name
		RegistryClient.Response squatter = publish(other, null, TestArtifacts.metadata("squatter_dist", "1.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("owned_ext").tarGz()));
		assertThat(squatter.status()).isEqualTo(409);
		assertThat(squatter.problemType()).isEqualTo(PROBLEMS + "extension-name-taken");
		assertThat(snapshot()).isEqualTo(before);
		// bob cannot make himself a maintainer, alice can
		assertThat(api().postJson("/api/v1/distributions/owned_dist/maintainers", other, Map.of("user", "other-bob"))
			.status()).isEqualTo(403);
		assertThat(api().postJson("/api/v1/distributions/owned_dist/maintainers", owner, Map.of("user", "other-bob"))
			.status()).isEqualTo(201);
		assertThat(publish(other, null, TestArtifacts.metadata("owned_dist", "1.1"),
				Map.of("pg17", TestArtifacts.sqlExtension("owned_ext").tarGz()))
			.status()).isEqualTo(201);
		assertThat(api().get("/api/v1/distributions/owned_dist/maintainers", null).json())
			.extracting((m) -> m.path("user").asString() + ":" + m.path("role").asString())
			.containsExactly("owner-alice:owner", "other-bob:maintainer");
		RegistryClient.Response audit = api().get("/api/v1/audit?target=owned_dist", ADMIN_TOKEN);
		assertThat(audit.json())
			.extracting((event) -> event.path("actor").asString() + " " + event.path("action").asString())
			.containsExactly("other-bob release.publish", "owner-alice maintainer.add", "owner-alice release.publish");
		assertThat(api().get("/api/v1/audit", owner).status()).isEqualTo(403);
	}

	@Test
	void tenantTokensPublishOnlyIntoTheirOwnTenant() {
		String initech = userToken("initech-ci", "initech", "publish");
		Snapshot before = snapshot();
		RegistryClient.Response response = publish(initech, "umbrella", TestArtifacts.metadata("cross_tenant", "1.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("cross_tenant").tarGz()));
		assertThat(response.status()).isEqualTo(403);
		assertThat(response.problemType()).isEqualTo(PROBLEMS + "forbidden");
		RegistryClient.Response intoPublic = publish(initech, null, TestArtifacts.metadata("cross_tenant", "1.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("cross_tenant").tarGz()));
		assertThat(intoPublic.status()).isEqualTo(403);
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void missingMetadataIsABadRequest() {
		Snapshot before = snapshot();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, null,
				Map.of("pg17", TestArtifacts.sqlExtension("no_meta").tarGz()));
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.problemType()).isEqualTo(PROBLEMS + "missing-metadata");
		assertThat(snapshot()).isEqualTo(before);
	}

	private RegistryClient.Response assertRejected(String token, String name, Map<String, byte[]> artifacts, int status,
			String kind) {
		Snapshot before = snapshot();
		int visibleBefore = api().get("/api/v1/extensions/" + name, ADMIN_TOKEN).status();
		RegistryClient.Response response = publish(token, null, TestArtifacts.metadata(name, "1.0"),
				new LinkedHashMap<>(artifacts));
		assertThat(response.status()).as(response.toString()).isEqualTo(status);
		assertThat(response.problemType()).isEqualTo(PROBLEMS + kind);
		assertThat(response.headers().getContentType()).hasToString("application/problem+json");
		assertThat(snapshot()).as("nothing is left behind").isEqualTo(before);
		assertThat(api().get("/api/v1/extensions/" + name, ADMIN_TOKEN).status()).isEqualTo(visibleBefore);
		return response;
	}

}
