package dev.pgext.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile publishes: every one is refused with its own status and problem type before
 * anything is written (the bucket and the catalog stay exactly as they were), and what is
 * accepted is accepted in a normal form.
 */
class PublishHardeningIntegrationTests extends RegistryIntegrationTest {

	private static final String PROBLEMS = "https://pgext.dev/problems/";

	private static byte[] library(String name) {
		try {
			return Files.readAllBytes(PostgresInstalls.shared(17).pkglibdir().resolve(name + ".so"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Test
	void aFileNameLongerThanS3AllowsIsRefusedBeforeAnythingIsWritten() {
		String longName = "share/extension/" + "x".repeat(252) + ".sql";
		RegistryClient.Response response = assertRefused("long_name",
				TestArtifacts.sqlExtension("long_name").file(longName, "SELECT 1;\n").tarGz(), 422, "unsafe-path");
		assertThat(response.json().path("detail").asString()).contains("at most 255");
	}

	@Test
	void aFileNameWithAControlCharacterIsRefused() {
		RegistryClient.Response response = assertRefused("ctl_name",
				TestArtifacts.sqlExtension("ctl_name").file("share/ctl_name/bell\u0007.txt", "x").tarGz(), 422,
				"unsafe-path");
		assertThat(response.json().path("detail").asString()).contains("U+0007");
	}

	@Test
	void aSetuidLibraryIsRefused() {
		assertRefused("setuid_lib",
				TestArtifacts.sqlExtension("setuid_lib")
					.file("lib/setuid_lib.so", library("auto_explain"), 04755)
					.tarGz(),
				422, "unsafe-mode");
		assertRefused("sticky_dir",
				TestArtifacts.sqlExtension("sticky_dir").directory("share/sticky_dir", 01777).tarGz(), 422,
				"unsafe-mode");
	}

	@Test
	void aLibraryThatIsNotAnElfSharedObjectIsRefused() {
		RegistryClient.Response tiny = assertRefused("tiny_lib",
				TestArtifacts.sqlExtension("tiny_lib").file("lib/tiny_lib.so", "ELF!").tarGz(), 422,
				"not-a-shared-library");
		assertThat(tiny.json().path("detail").asString()).contains("lib/tiny_lib.so");
		byte[] relocatable = library("auto_explain");
		ByteBuffer.wrap(relocatable).order(ByteOrder.LITTLE_ENDIAN).putShort(16, (short) 1);
		RegistryClient.Response object = assertRefused("object_lib",
				TestArtifacts.sqlExtension("object_lib").file("lib/object_lib.so", relocatable).tarGz(), 422,
				"not-a-shared-library");
		assertThat(object.json().path("detail").asString()).contains("not a shared object");
	}

	@Test
	void aRealSharedLibraryIsAccepted() {
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("real_lib", "1.0.0"),
				Map.of("pg17",
						TestArtifacts.sqlExtension("real_lib")
							.file("lib/real_lib.so", library("auto_explain"), 0755)
							.tarGz()));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

	@Test
	void aTruncatedArchiveGetsAReadableReason() {
		byte[] artifact = TestArtifacts.sqlExtension("cut_off").tarGz();
		RegistryClient.Response response = assertRefused("cut_off",
				java.util.Arrays.copyOf(artifact, artifact.length / 2), 400, "invalid-archive");
		assertThat(response.json().path("detail").asString()).doesNotContain("null").contains("ends early");
	}

	@Test
	void anArchiveOfAHundredThousandEntriesIsRefusedAtTheEntryLimit() {
		byte[] archive = TestArtifacts.manyEmptyFiles(100_000);
		Snapshot before = snapshot();
		long start = System.nanoTime();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("many_entries", "1.0.0"),
				Map.of("pg17", archive));
		long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
		assertProblem(response, 422, "too-many-entries");
		assertThat(response.json().path("detail").asString()).contains("more than 2000");
		assertThat(snapshot()).as("nothing is left behind").isEqualTo(before);
		// a measurement for docs/benchmarks.md, not an assertion: timings vary with the
		// machine
		System.out.printf("%d-byte archive of 100000 entries: publish refused in %d ms%n", archive.length, millis);
	}

	@Test
	void metadataWithANulCharacterIsRefused() {
		Snapshot before = snapshot();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null,
				"{\"name\": \"nul_meta\", \"version\": \"1.0.0\", \"abstract\": \"a\\u0000b\"}",
				Map.of("pg17", TestArtifacts.sqlExtension("nul_meta").tarGz()));
		assertProblem(response, 422, "invalid-metadata");
		assertThat(response.json().path("detail").asString()).contains("abstract").contains("NUL");
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void oversizedMetadataIsRefusedWithoutReadingIt() {
		Snapshot before = snapshot();
		String metadata = "{\"name\": \"big_meta\", \"version\": \"1.0.0\", \"description\": \""
				+ "d".repeat(1024 * 1024) + "\"}";
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, metadata,
				Map.of("pg17", TestArtifacts.sqlExtension("big_meta").tarGz()));
		assertProblem(response, 413, "metadata-too-large");
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void tooManyOrTooLongTagsAndOverlongTextAreRefused() {
		List<String> tags = new ArrayList<>();
		for (int i = 0; i < 33; i++) {
			tags.add("\"tag" + i + "\"");
		}
		assertMetadataRefused(
				"{\"name\": \"many_tags\", \"version\": \"1.0.0\", \"tags\": [" + String.join(",", tags) + "]}",
				"many_tags", 422, "too-many-tags");
		assertMetadataRefused(
				"{\"name\": \"long_tag\", \"version\": \"1.0.0\", \"tags\": [\"" + "t".repeat(65) + "\"]}", "long_tag",
				422, "field-too-long");
		assertMetadataRefused(
				"{\"name\": \"long_abstract\", \"version\": \"1.0.0\", \"abstract\": \"" + "a".repeat(1001) + "\"}",
				"long_abstract", 422, "field-too-long");
	}

	@Test
	void partNamesMustBeExactlyPgAndASupportedMajor() {
		byte[] artifact = TestArtifacts.sqlExtension("part_names").tarGz();
		Snapshot before = snapshot();
		Map<String, byte[]> padded = new LinkedHashMap<>();
		padded.put("pg015", artifact);
		padded.put("pg15", artifact);
		RegistryClient.Response zeroPadded = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("part_names", "1.0.0"),
				padded);
		assertProblem(zeroPadded, 400, "unexpected-part");
		assertThat(zeroPadded.json().path("detail").asString()).contains("'pg015'");
		RegistryClient.Response unknown = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("part_names", "1.0.0"),
				Map.of("pg17", artifact, "changelog", "hello".getBytes(StandardCharsets.UTF_8)));
		assertProblem(unknown, 400, "unexpected-part");
		assertThat(unknown.json().path("detail").asString()).contains("'changelog'");
		RegistryClient.Response old = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("part_names", "1.0.0"),
				Map.of("pg13", artifact));
		assertProblem(old, 400, "unknown-pg-major");
		assertThat(old.json().path("detail").asString()).contains("'pg13'");
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void laxVersionsAreNormalisedAndTheAnswerSaysSo() {
		RegistryClient.Response short_ = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("lax_version", "1.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("lax_version").tarGz()));
		assertThat(short_.status()).as(short_.toString()).isEqualTo(201);
		assertThat(short_.json().path("version").asString()).isEqualTo("1.0.0");
		assertThat(short_.json().path("normalized_from").asString()).isEqualTo("1.0");
		assertThat(short_.headers().getLocation()).hasToString("/api/v1/distributions/lax_version/versions/1.0.0");

		RegistryClient.Response prefixed = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("lax_version", "v1.1.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("lax_version").tarGz()));
		assertThat(prefixed.status()).as(prefixed.toString()).isEqualTo(201);
		assertThat(prefixed.json().path("version").asString()).isEqualTo("1.1.0");
		assertThat(prefixed.json().path("normalized_from").asString()).isEqualTo("v1.1.0");

		RegistryClient.Response normal = publish(ADMIN_TOKEN, null,
				TestArtifacts.metadata("lax_version", "1.2.0-beta.1"),
				Map.of("pg17", TestArtifacts.sqlExtension("lax_version").tarGz()));
		assertThat(normal.status()).as(normal.toString()).isEqualTo(201);
		assertThat(normal.json().has("normalized_from")).isFalse();

		// the same version in another spelling is the same version
		assertMetadataRefused(TestArtifacts.metadata("lax_version", "1.0.0"), "lax_version", 409, "version-exists");
		assertMetadataRefused(TestArtifacts.metadata("lax_version", "01.02.03"), "lax_version", 422, "invalid-version");
		assertMetadataRefused(TestArtifacts.metadata("lax_version", "1.0.0.1"), "lax_version", 422, "invalid-version");
	}

	@Test
	void namesThatDifferOnlyInCaseAreOneName() {
		String alice = userToken("fold-alice", null, "publish");
		String bob = userToken("fold-bob", null, "publish");
		assertThat(publish(alice, null, TestArtifacts.metadata("pubone", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("pubone_ext").tarGz()))
			.status()).isEqualTo(201);
		Snapshot before = snapshot();
		RegistryClient.Response distribution = publish(bob, null, TestArtifacts.metadata("PubOne", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("other_ext").tarGz()));
		assertProblem(distribution, 409, "name-differs-only-in-case");
		assertThat(distribution.json().path("detail").asString()).contains("'pubone'");
		RegistryClient.Response extension = publish(bob, null, TestArtifacts.metadata("bobs_dist", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("PubOne_Ext").tarGz()));
		assertProblem(extension, 409, "name-differs-only-in-case");
		// a tenant sees the public scope: its private Pubone_ext would shadow nothing and
		// confuse everyone
		String tenant = userToken("fold-tenant", "foldco", "publish");
		RegistryClient.Response privately = publish(tenant, "foldco", TestArtifacts.metadata("tenant_dist", "1.0.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("Pubone_ext").tarGz()));
		assertProblem(privately, 409, "name-differs-only-in-case");
		assertThat(snapshot()).isEqualTo(before);
	}

	@Test
	void aModulePathnameOutsideTheArtifactIsRefusedNamingIt() {
		byte[] missing = TestArtifacts.builder()
			.file("share/extension/lost_lib.control", "default_version = '1.0'\nmodule_pathname = '$libdir/nowhere'\n")
			.file("share/extension/lost_lib--1.0.sql",
					"CREATE FUNCTION lost() RETURNS int AS 'MODULE_PATHNAME' LANGUAGE C;\n")
			.tarGz();
		RegistryClient.Response response = assertRefused("lost_lib", missing, 422, "unresolved-library");
		assertThat(response.json().path("detail").asString()).contains("'nowhere'");

		byte[] traversal = TestArtifacts.builder()
			.file("share/extension/passwd_lib.control",
					"default_version = '1.0'\nmodule_pathname = '$libdir/../../etc/passwd'\n")
			.file("share/extension/passwd_lib--1.0.sql", "SELECT 1;\n")
			.tarGz();
		RegistryClient.Response refused = assertRefused("passwd_lib", traversal, 422, "unresolved-library");
		assertThat(refused.json().path("detail").asString()).contains("$libdir/../../etc/passwd");

		byte[] inScript = TestArtifacts.sqlExtension("script_lib")
			.file("share/extension/script_lib--1.0--1.1.sql",
					"CREATE FUNCTION f() RETURNS int AS '$libdir/../lib/evil' LANGUAGE C;\n")
			.tarGz();
		assertRefused("script_lib", inScript, 422, "unresolved-library");
	}

	@Test
	void aLibraryOfARequiredExtensionOrOfPostgresResolves() {
		byte[] base = TestArtifacts.builder()
			.file("share/extension/base_lib.control", "default_version = '1.0'\nmodule_pathname = '$libdir/base_lib'\n")
			.file("share/extension/base_lib--1.0.sql",
					"CREATE FUNCTION b() RETURNS int AS 'MODULE_PATHNAME' LANGUAGE C;\n")
			.file("lib/base_lib.so", library("auto_explain"), 0755)
			.tarGz();
		assertThat(
				publish(ADMIN_TOKEN, null, TestArtifacts.metadata("base_lib", "1.0.0"), Map.of("pg17", base)).status())
			.isEqualTo(201);
		byte[] dependent = TestArtifacts.builder()
			.file("share/extension/uses_base.control", "default_version = '1.0'\nrequires = 'base_lib'\n")
			.file("share/extension/uses_base--1.0.sql",
					"CREATE FUNCTION u() RETURNS int AS '$libdir/base_lib', 'b' LANGUAGE C;\n"
							+ "CREATE FUNCTION p() RETURNS language_handler AS '$libdir/plpgsql', 'plpgsql_call_handler' "
							+ "LANGUAGE C;\n")
			.tarGz();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("uses_base", "1.0.0"),
				Map.of("pg17", dependent));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
		// the same extension without the requires line loads a library nobody promised
		byte[] unrelated = TestArtifacts.builder()
			.file("share/extension/borrows_base.control", "default_version = '1.0'\n")
			.file("share/extension/borrows_base--1.0.sql",
					"CREATE FUNCTION u() RETURNS int AS '$libdir/base_lib', 'b' LANGUAGE C;\n")
			.tarGz();
		assertRefused("borrows_base", unrelated, 422, "unresolved-library");
	}

	@Test
	void uploadsBeyondTheConcurrencyLimitAreAskedToRetryLater() throws IOException {
		// four uploads whose bodies have not finished arriving hold the four slots
		List<Socket> slow = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				slow.add(startSlowUpload());
			}
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				RegistryClient.Response busy = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("busy_pub", "1.0.0"),
						Map.of("pg17", TestArtifacts.sqlExtension("busy_pub").tarGz()));
				assertProblem(busy, 503, "too-many-uploads");
				assertThat(busy.headers().getFirst("Retry-After")).isEqualTo("5");
			});
		}
		finally {
			for (Socket socket : slow) {
				socket.close();
			}
		}
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			RegistryClient.Response later = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("busy_pub", "1.0.0"),
					Map.of("pg17", TestArtifacts.sqlExtension("busy_pub").tarGz()));
			assertThat(later.status()).as(later.toString()).isIn(201, 409);
		});
	}

	private Socket startSlowUpload() throws IOException {
		Socket socket = new Socket("127.0.0.1", this.port);
		String boundary = "slow-boundary";
		String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"; filename=\"META.json\""
				+ "\r\nContent-Type: application/json\r\n\r\n{\"name\": \"slow\"";
		OutputStream out = socket.getOutputStream();
		out.write(("POST /api/v1/releases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_TOKEN
				+ "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: 100000\r\n\r\n"
				+ head)
			.getBytes(StandardCharsets.UTF_8));
		out.flush();
		return socket;
	}

	private void assertMetadataRefused(String metadata, String name, int status, String kind) {
		Snapshot before = snapshot();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, metadata,
				Map.of("pg17", TestArtifacts.sqlExtension(name).tarGz()));
		assertProblem(response, status, kind);
		assertThat(snapshot()).as("nothing is left behind").isEqualTo(before);
	}

	private RegistryClient.Response assertRefused(String name, byte[] artifact, int status, String kind) {
		Snapshot before = snapshot();
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, "1.0.0"),
				Map.of("pg17", artifact));
		assertProblem(response, status, kind);
		assertThat(snapshot()).as("nothing is left behind").isEqualTo(before);
		return response;
	}

	static void assertProblem(RegistryClient.Response response, int status, String kind) {
		assertThat(response.status()).as(response.toString()).isEqualTo(status);
		assertThat(response.headers().getContentType()).hasToString("application/problem+json");
		assertThat(response.problemType()).isEqualTo(PROBLEMS + kind);
	}

}
