package dev.pgext.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.FileSystemUtils;

import dev.pgext.model.StoreLayout;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.OutsideTools;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's PGXN client ({@code pgxn}) against the registry's PGXN API root and against
 * the static mirror: a real PGXS extension with one C function (src/test/resources/pgxn)
 * is published with its source distribution, then found, described, downloaded (the
 * client verifies the SHA-1), built and installed into a private Postgres 15 tree, and
 * loaded into a running Postgres 15.
 */
class PgxnClientIntegrationTests extends RegistryIntegrationTest {

	private static final String PG_CONFIG = "/usr/lib/postgresql/15/bin/pg_config";

	private static final String NAME = "pgxn_answer";

	private static final String VERSION = "1.0.0";

	private static byte[] sourceZip;

	private static String sourceSha1;

	@TempDir
	Path temp;

	@BeforeEach
	void publishOnce() throws Exception {
		requireClient();
		if (sourceZip != null) {
			return;
		}
		Path tree = this.temp.resolve("build");
		FileSystemUtils.copyRecursively(extensionSources(), tree);
		run(tree, List.of("make", "-s", "PG_CONFIG=" + PG_CONFIG));
		byte[] binary = TestArtifacts.builder()
			.file("share/extension/" + NAME + ".control", Files.readAllBytes(tree.resolve(NAME + ".control")))
			.file("share/extension/" + NAME + "--" + VERSION + ".sql",
					Files.readAllBytes(tree.resolve("sql/" + NAME + "--" + VERSION + ".sql")))
			.file("lib/" + NAME + ".so", Files.readAllBytes(tree.resolve(NAME + ".so")))
			.tarGz();
		byte[] zip = zip(extensionSources(), NAME + "-" + VERSION);
		String meta = Files.readString(extensionSources().resolve("META.json"));
		Map<String, byte[]> parts = new LinkedHashMap<>();
		parts.put("pg15", binary);
		parts.put("source", zip);
		RegistryClient.Response published = publish(ADMIN_TOKEN, null, meta, parts);
		assertThat(published.status()).as(published.toString()).isEqualTo(201);
		sourceSha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(zip));
		sourceZip = zip;
	}

	@Test
	void searchFindsTheExtensionByAWordOfItsAbstract() {
		String out = pgxn("search", "--mirror", registry(), "--ext", "answers");
		assertThat(out).contains(NAME + " " + VERSION);
	}

	@Test
	void infoShowsTheReleaseWithItsSha1AndWhatItProvides() {
		String out = pgxn("info", "--mirror", registry(), NAME);
		assertThat(out).contains("name: " + NAME, "version: " + VERSION, "release_status: stable",
				"sha1: " + sourceSha1, "provides: " + NAME + ": " + VERSION, "date: ");
		assertThat(api().get("/pgxn/dist/" + NAME + "/" + VERSION + "/META.json", null).json().path("user").asString())
			.isEqualTo("admin");
		assertThat(pgxn("info", "--mirror", registry(), "--versions", NAME)).contains(NAME + " " + VERSION + " stable");
	}

	@Test
	void downloadGivesTheSourceDistributionAndTheClientVerifiesItsSha1() throws IOException {
		Path target = Files.createDirectory(this.temp.resolve("download"));
		pgxn("download", "--mirror", registry(), "--target", target.toString(), NAME);
		assertThat(target.resolve(NAME + "-" + VERSION + ".zip")).hasBinaryContent(sourceZip);
	}

	@Test
	void theStoredMetaIsServedBackByteForByte() throws IOException {
		byte[] sent = Files.readAllBytes(extensionSources().resolve("META.json"));
		assertThat(api().get("/pgxn/dist/" + NAME + "/" + VERSION + "/META.published.json", null).body())
			.isEqualTo(sent);
	}

	@Test
	void installBuildsItAgainstPostgres15AndLoadCreatesItInARealServer() throws Exception {
		PostgresInstall install = PostgresInstalls.copy(15, this.temp.resolve("pg15"));
		Path pgConfig = privatePgConfig(install);
		pgxn("install", "--mirror", registry(), "--pg_config", pgConfig.toString(), "--nosudo", NAME);
		assertThat(install.extensionDir().resolve(NAME + ".control")).exists();
		assertThat(install.pkglibdir().resolve(NAME + ".so")).exists();
		try (PostgresCluster cluster = PostgresCluster.initdb(install, this.temp.resolve("data")).start(Map.of())) {
			pgxn("load", "--mirror", registry(), "--pg_config", pgConfig.toString(), "--yes", "-d", "postgres", "-h",
					"127.0.0.1", "-p", Integer.toString(cluster.port()), "-U", "postgres", NAME);
			try (Connection connection = cluster.connect("postgres");
					ResultSet rs = connection.createStatement().executeQuery("select pgxn_answer()")) {
				assertThat(rs.next()).isTrue();
				assertThat(rs.getInt(1)).isEqualTo(42);
			}
		}
	}

	@Test
	void theStaticMirrorAnswersTheClientTheSameWay() throws IOException {
		awaitProjections();
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/", (exchange) -> {
			String path = exchange.getRequestURI().getPath().substring(1);
			byte[] body = this.store.getBytes(StoreLayout.mirror(path)).orElse(null);
			if (body == null) {
				exchange.sendResponseHeaders(404, -1);
			}
			else {
				exchange.sendResponseHeaders(200, body.length);
				try (OutputStream out = exchange.getResponseBody()) {
					out.write(body);
				}
			}
			exchange.close();
		});
		server.start();
		try {
			String mirror = "http://127.0.0.1:" + server.getAddress().getPort();
			assertThat(pgxn("info", "--mirror", mirror, NAME)).contains("sha1: " + sourceSha1);
			Path target = Files.createDirectory(this.temp.resolve("from-mirror"));
			pgxn("download", "--mirror", mirror, "--target", target.toString(), NAME);
			assertThat(target.resolve(NAME + "-" + VERSION + ".zip")).hasBinaryContent(sourceZip);
		}
		finally {
			server.stop(0);
		}
	}

	@Test
	void aSourceDistributionWhoseMetaNamesAnotherReleaseIsRefused() throws IOException {
		String meta = TestArtifacts.metadata("pgxn_mismatch", "1.0.0");
		Map<String, byte[]> parts = new LinkedHashMap<>();
		parts.put("pg15", TestArtifacts.sqlExtension("pgxn_mismatch").tarGz());
		parts.put("source", zip(extensionSources(), "pgxn_mismatch-1.0.0"));
		RegistryClient.Response refused = publish(ADMIN_TOKEN, null, meta, parts);
		assertThat(refused.status()).isEqualTo(422);
		assertThat(refused.problemType()).endsWith("/invalid-source");
		assertThat(refused.json().path("detail").asString()).contains("describes 'pgxn_answer'");
	}

	@Test
	void aSourceDistributionWithTwoTopDirectoriesIsRefused() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			for (String entry : List.of("pgxn_two-1.0.0/META.json", "elsewhere/README")) {
				zip.putNextEntry(new ZipEntry(entry));
				zip.write(TestArtifacts.metadata("pgxn_two", "1.0.0").getBytes(StandardCharsets.UTF_8));
				zip.closeEntry();
			}
		}
		Map<String, byte[]> parts = new LinkedHashMap<>();
		parts.put("pg15", TestArtifacts.sqlExtension("pgxn_two").tarGz());
		parts.put("source", bytes.toByteArray());
		RegistryClient.Response refused = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("pgxn_two", "1.0.0"),
				parts);
		assertThat(refused.status()).isEqualTo(422);
		assertThat(refused.json().path("detail").asString()).contains("one top directory");
	}

	@Test
	void aMetaBreakingTheSpecIsRefusedWithEveryErrorAndItsPath() {
		RegistryClient.Response refused = publish(ADMIN_TOKEN, null,
				"{\"name\": \"pgxn_two_fields\", \"version\": \"1.0.0\"}",
				Map.of("pg15", TestArtifacts.sqlExtension("pgxn_two_fields").tarGz()));
		assertThat(refused.status()).isEqualTo(422);
		assertThat(refused.problemType()).endsWith("/invalid-metadata");
		assertThat(refused.json().path("meta_spec").asInt()).isEqualTo(1);
		assertThat(refused.json().path("errors").valueStream().map((e) -> e.path("message").asString()))
			.anySatisfy((m) -> assertThat(m).contains("abstract"))
			.anySatisfy((m) -> assertThat(m).contains("license"));
	}

	@Test
	void anUnknownDistributionIsAProblem() {
		RegistryClient.Response missing = api().get("/pgxn/dist/pgxn_nothing.json", null);
		assertThat(missing.status()).isEqualTo(404);
		assertThat(missing.headers().getContentType()).hasToString("application/problem+json");
	}

	private String registry() {
		return "http://127.0.0.1:" + this.port + "/pgxn";
	}

	private static void requireClient() {
		boolean present = Files.isExecutable(Path.of("/usr/bin/pgxn")) && Files.isExecutable(Path.of(PG_CONFIG));
		OutsideTools.require(present,
				"pgxn (Debian's pgxnclient) or " + PG_CONFIG + " is not installed (.ci/run installs them)");
	}

	private static Path extensionSources() {
		return Path.of("src/test/resources/pgxn/" + NAME);
	}

	/** A pg_config that reports the private tree as its share and library directories. */
	private Path privatePgConfig(PostgresInstall install) throws IOException {
		Path script = this.temp.resolve("pg_config");
		Files.writeString(script, """
				#!/bin/sh
				case "$1" in
				  --sharedir) echo '%s' ;;
				  --pkglibdir) echo '%s' ;;
				  *) exec %s "$@" ;;
				esac
				""".formatted(install.sharedir(), install.pkglibdir(), PG_CONFIG));
		Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
		return script;
	}

	private static byte[] zip(Path directory, String top) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.walk(directory)) {
			for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
				zip.putNextEntry(new ZipEntry(top + "/" + directory.relativize(file)));
				zip.write(Files.readAllBytes(file));
				zip.closeEntry();
			}
		}
		return bytes.toByteArray();
	}

	private String pgxn(String... arguments) {
		List<String> command = new ArrayList<>();
		command.add("pgxn");
		command.addAll(List.of(arguments));
		return run(this.temp, command);
	}

	private static String run(Path directory, List<String> command) {
		try {
			Process process = new ProcessBuilder(command).directory(directory.toFile())
				.redirectErrorStream(true)
				.start();
			process.getOutputStream().close();
			byte[] output = process.getInputStream().readAllBytes();
			if (!process.waitFor(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new AssertionError(command + " did not finish");
			}
			String text = new String(output, StandardCharsets.UTF_8);
			assertThat(process.exitValue()).as("%s exited with\n%s", command, text).isZero();
			return text;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
