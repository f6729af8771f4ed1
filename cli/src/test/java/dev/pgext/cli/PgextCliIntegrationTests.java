package dev.pgext.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.pgext.cli.exit.ExitCode;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.registry.RegistryApplication;
import dev.pgext.testsupport.OutsideTools;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestDatabase;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI end to end against a real registry (started in this JVM on a real database and
 * bucket): a real C extension is built with PGXS against the PostgreSQL 15 headers,
 * checked, packed and published with {@code pgext}, installed with {@code pgext install}
 * into a fresh PostgreSQL 15 installation, and used and updated in a real server.
 */
class PgextCliIntegrationTests {

	private static final String ADMIN_TOKEN = "pgx_cli-integration-test-administrator-token";

	/** Debian's postgresql-server-dev-15 ({@code .ci/run} installs it). */
	private static final Path PG_CONFIG_15 = Path.of("/usr/lib/postgresql/15/bin/pg_config");

	@TempDir
	static Path work;

	private static ConfigurableApplicationContext registry;

	private static String url;

	private static Map<String, String> environment;

	private static CliRun packaged;

	private static CliRun published;

	@BeforeAll
	static void publishTheTestExtension() throws IOException {
		OutsideTools.require(Files.isExecutable(PG_CONFIG_15),
				"PostgreSQL 15 server headers (postgresql-server-dev-15) are not installed (.ci/run installs them)");
		TestDatabase database = TestInfrastructure.database(PgextCliIntegrationTests.class);
		TestBucket bucket = TestInfrastructure.bucket(PgextCliIntegrationTests.class);
		registry = new SpringApplicationBuilder(RegistryApplication.class).run("--server.port=0",
				"--spring.main.banner-mode=off", "--spring.jmx.enabled=false",
				"--spring.datasource.url=" + database.jdbcUrl(), "--spring.datasource.username=" + database.username(),
				"--spring.datasource.password=" + database.password(),
				"--pgext.registry.s3.endpoint=" + bucket.endpoint(), "--pgext.registry.s3.bucket=" + bucket.name(),
				"--pgext.registry.s3.access-key=" + bucket.accessKey(),
				"--pgext.registry.s3.secret-key=" + bucket.secretKey(), "--pgext.registry.admin.token=" + ADMIN_TOKEN,
				"--pgext.registry.signing.allow-unsigned=true");
		url = "http://127.0.0.1:" + registry.getEnvironment().getProperty("local.server.port");
		environment = Map.of("PGEXT_CONFIG", work.resolve("config/credentials").toString(), "PGEXT_REGISTRY", url,
				"PGEXT_TOKEN", ADMIN_TOKEN, "USER", "tester");

		Path source = copyOfTestExtension(work.resolve("src"));
		CliRun init = CliRun.of(environment, "init", "-C", source.toString());
		assertThat(init.exitCode()).as(init.toString()).isZero();
		// what an earlier run left: an artifact of a major not built now, and the
		// directory of a run killed before its end
		Files.createDirectories(source.resolve("dist/.pgext-package-1234/sub"));
		Files.writeString(source.resolve("dist/pg17.tar.gz"), "an earlier run's");
		packaged = CliRun.of(environment, "package", "-C", source.toString(), "--pg-config", PG_CONFIG_15.toString());
		assertThat(packaged.exitCode()).as(packaged.toString()).isZero();
		published = CliRun.of(environment, "publish", "--dist", source.resolve("dist").toString());
		assertThat(published.exitCode()).as(published.toString()).isZero();
	}

	@AfterAll
	static void stopRegistry() {
		if (registry != null) {
			registry.close();
		}
	}

	@Test
	void packagingRunsTheRegistrysChecksLocallyAndWritesOneArtifactPerMajor() throws IOException {
		assertThat(packaged.out()).contains("ok    META.json follows the PGXN Meta Spec v")
			.contains("ok    pgext_hello.control parses")
			.contains("ok    lib/pgext_hello.so: ELF shared object for linux-x86_64")
			.contains("ok    pgext_hello 1.1 is installable")
			.contains("ok    pgext_hello loads $libdir/pgext_hello, which the artifact has")
			.contains("pg15.tar.gz")
			.contains("  lib/pgext_hello.so (")
			.contains("  share/extension/pgext_hello.control (")
			.doesNotContain("FAIL");
		assertThat(published.out()).contains("published pgext_hello 1.1.0")
			.contains("pg15  pgext_hello 1.1  (4 files)");
		assertThat(published.err()).contains("uploading [").contains("100%");
		try (Stream<Path> dist = Files.list(work.resolve("src/dist"))) {
			assertThat(dist.map((file) -> file.getFileName().toString())).as("what package left in dist")
				.containsExactlyInAnyOrder("META.json", "pg15.tar.gz");
		}
	}

	@Test
	void installedExtensionIsCreatedCalledAndUpdatedInARealPostgres() throws Exception {
		PostgresInstall install = PostgresInstalls.copy(15, work.resolve("pg15-install"));
		assertThat(install.extensionDir().resolve("pgext_hello.control")).doesNotExist();

		CliRun installed = CliRun.of(environment, "install", "pgext_hello", "--pgdir", install.root().toString());

		assertThat(installed.exitCode()).as(installed.toString()).isZero();
		assertThat(installed.out()).contains("installed pgext_hello 1.1.0: 4 file(s) placed");
		assertThat(Files.getPosixFilePermissions(install.pkglibdir().resolve("pgext_hello.so")))
			.isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
		try (PostgresCluster cluster = PostgresCluster.initdb(install, work.resolve("pg15-data")).start(Map.of());
				Connection connection = cluster.connect("postgres");
				Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION pgext_hello VERSION '1.0'");
			assertThat(single(sql, "SELECT pgext_hello('world')")).isEqualTo("hello, world");
			sql.execute("ALTER EXTENSION pgext_hello UPDATE TO '1.1'");
			assertThat(single(sql, "SELECT extversion FROM pg_extension WHERE extname = 'pgext_hello'"))
				.isEqualTo("1.1");
			assertThat(single(sql, "SELECT pgext_hello_version()")).isEqualTo("1.1");
		}
	}

	@Test
	void installingWhatIsAlreadyThereChangesNothing() throws IOException {
		Path share = Files.createDirectories(work.resolve("again/share"));
		Path lib = Files.createDirectories(work.resolve("again/lib"));
		CliRun first = install(environment, share, lib);
		assertThat(first.exitCode()).as(first.toString()).isZero();
		Map<Path, FileTime> before = modificationTimes(work.resolve("again"));

		CliRun second = install(environment, share, lib);

		assertThat(second.exitCode()).as(second.toString()).isZero();
		assertThat(second.out()).contains("pgext_hello 1.1.0 is already installed: nothing to do")
			.contains("same     lib/pgext_hello.so");
		assertThat(modificationTimes(work.resolve("again"))).isEqualTo(before);
	}

	@Test
	void dryRunListsWhatWouldChangeAndWritesNothing() throws IOException {
		Path share = Files.createDirectories(work.resolve("dry/share"));
		Path lib = Files.createDirectories(work.resolve("dry/lib"));

		CliRun dry = CliRun.of(environment, "install", "pgext_hello@1.1", "--sharedir", share.toString(), "--pkglibdir",
				lib.toString(), "--pg-major", "15", "--dry-run");

		assertThat(dry.exitCode()).as(dry.toString()).isZero();
		assertThat(dry.out()).contains("would install pgext_hello 1.1.0")
			.contains("add      lib/pgext_hello.so -> " + lib.resolve("pgext_hello.so"))
			.contains("add      share/extension/pgext_hello.control")
			.contains("dry run: 4 file(s) would change; nothing was written");
		assertThat(modificationTimes(work.resolve("dry"))).isEmpty();
	}

	@Test
	void aTamperedDownloadIsRefusedAndNothingIsPlaced() throws IOException {
		Path share = Files.createDirectories(work.resolve("tampered/share"));
		Path lib = Files.createDirectories(work.resolve("tampered/lib"));
		try (TamperingProxy proxy = new TamperingProxy(url)) {
			Map<String, String> throughProxy = new HashMap<>(environment);
			throughProxy.put("PGEXT_REGISTRY", proxy.url());

			CliRun refused = install(throughProxy, share, lib);

			assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCode.NETWORK);
			assertThat(refused.err()).contains("download refused, nothing was placed").contains("sha256");
		}
		assertThat(modificationTimes(work.resolve("tampered"))).isEmpty();
	}

	@Test
	void aProblemFromTheRegistryIsShownWithTitleDetailAndType() {
		CliRun again = CliRun.of(environment, "publish", "--dist", work.resolve("src/dist").toString());

		assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCode.REFUSED);
		assertThat(again.err()).contains("the registry refused: ")
			.contains("(HTTP 409)")
			.contains("pgext_hello 1.1.0 is already published")
			.contains("type: https://pgext.dev/problems/version-exists");
	}

	@Test
	void loginVerifiesTheTokenAndStoresItReadableOnlyByItsOwner() throws IOException {
		Path config = work.resolve("login/credentials");
		Map<String, String> fresh = Map.of("PGEXT_CONFIG", config.toString(), "HOME", work.toString());

		CliRun wrong = CliRun.withInput(fresh, "pgx_not-a-token\n", "login", "--registry", url, "--token-stdin");
		assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(ExitCode.REFUSED);
		assertThat(config).doesNotExist();

		CliRun login = CliRun.withInput(fresh, ADMIN_TOKEN + "\n", "login", "--registry", url + "/", "--token-stdin");
		assertThat(login.exitCode()).as(login.toString()).isZero();
		assertThat(Files.getPosixFilePermissions(config)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
		assertThat(Files.readString(config)).contains(ADMIN_TOKEN).contains(url);

		CliRun whoami = CliRun.of(fresh, "whoami");
		assertThat(whoami.exitCode()).as(whoami.toString()).isZero();
		assertThat(whoami.out()).startsWith("admin (scopes ").contains("publish").contains(url);
	}

	@Test
	void searchAndInfoShowThePublishedExtension() {
		CliRun search = CliRun.of(environment, "search", "hello");
		assertThat(search.exitCode()).as(search.toString()).isZero();
		assertThat(search.out()).contains("pgext_hello").contains("1.1.0").contains("says hello from C");

		CliRun info = CliRun.of(environment, "info", "pgext_hello");
		assertThat(info.exitCode()).as(info.toString()).isZero();
		assertThat(info.out()).contains("pgext_hello 1.1.0 - says hello from C").contains("pg 15");

		CliRun missing = CliRun.of(environment, "info", "no_such_extension");
		assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(ExitCode.REFUSED);
		assertThat(missing.err()).contains("type: https://pgext.dev/problems/not-found");
	}

	@Test
	void aYankedReleaseIsNotInstalledUntilItIsUnyanked() throws IOException {
		Path share = Files.createDirectories(work.resolve("yank/share"));
		Path lib = Files.createDirectories(work.resolve("yank/lib"));
		CliRun yank = CliRun.of(environment, "yank", "pgext_hello", "1.1.0", "--reason", "testing the lifecycle");
		assertThat(yank.exitCode()).as(yank.toString()).isZero();
		try {
			CliRun refused = install(environment, share, lib);
			assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCode.REFUSED);
			assertThat(refused.err()).contains("the registry has no extension pgext_hello for PostgreSQL 15");
			CliRun info = CliRun.of(environment, "info", "pgext_hello");
			assertThat(info.out()).as(info.toString()).containsPattern("1\\.1\\.0 .* YANKED: testing the lifecycle");

			CliRun exact = CliRun.of(environment, "install", "pgext_hello@1.1", "--sharedir", share.toString(),
					"--pkglibdir", lib.toString(), "--pg-major", "15", "--dry-run");
			assertThat(exact.exitCode()).as("a yanked release stays installable by its exact version: " + exact)
				.isZero();
			assertThat(exact.out()).contains("would install pgext_hello 1.1.0").contains("add      lib/pgext_hello.so");
		}
		finally {
			CliRun unyank = CliRun.of(environment, "unyank", "pgext_hello", "1.1.0");
			assertThat(unyank.exitCode()).as(unyank.toString()).isZero();
		}
		assertThat(install(environment, share, lib).exitCode()).isZero();
	}

	@Test
	void aDeprecationIsRecordedAndCanBeWithdrawnOnce() {
		CliRun deprecate = CliRun.of(environment, "deprecate", "pgext_hello", "--reason", "superseded in tests");
		assertThat(deprecate.exitCode()).as(deprecate.toString()).isZero();
		assertThat(deprecate.out()).contains("deprecated pgext_hello");
		assertThat(CliRun.of(environment, "info", "pgext_hello").out()).contains("  DEPRECATED: superseded in tests");

		CliRun undo = CliRun.of(environment, "deprecate", "pgext_hello", "--undo");
		assertThat(undo.exitCode()).as(undo.toString()).isZero();
		assertThat(CliRun.of(environment, "info", "pgext_hello").out()).doesNotContain("DEPRECATED");

		CliRun again = CliRun.of(environment, "deprecate", "pgext_hello", "--undo");
		assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCode.REFUSED);
		assertThat(again.err()).contains("type: https://pgext.dev/problems/not-deprecated");
	}

	@Test
	void anUnreachableRegistryEndsWithTheNetworkExitCode() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		CliRun run = CliRun.of(environment, "info", "pgext_hello", "--registry", "http://127.0.0.1:" + closedPort);

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.NETWORK);
		assertThat(run.err()).contains("cannot reach the registry at http://127.0.0.1:" + closedPort);
	}

	private static CliRun install(Map<String, String> environment, Path share, Path lib) {
		return CliRun.of(environment, "install", "pgext_hello", "--sharedir", share.toString(), "--pkglibdir",
				lib.toString(), "--pg-major", "15");
	}

	private static String single(Statement sql, String query) throws Exception {
		try (ResultSet rs = sql.executeQuery(query)) {
			assertThat(rs.next()).isTrue();
			return rs.getString(1);
		}
	}

	/** Every file under {@code root} (part files included) with its modification time. */
	private static Map<Path, FileTime> modificationTimes(Path root) throws IOException {
		Map<Path, FileTime> times = new TreeMap<>();
		try (Stream<Path> files = Files.walk(root)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				times.put(file, Files.getLastModifiedTime(file));
			}
		}
		return times;
	}

	private static Path copyOfTestExtension(Path target) throws IOException {
		Files.createDirectories(target);
		for (String name : List.of("Makefile", "pgext_hello.c", "pgext_hello.control", "pgext_hello--1.0.sql",
				"pgext_hello--1.0--1.1.sql")) {
			try (InputStream in = PgextCliIntegrationTests.class.getResourceAsStream("/pgext_hello/" + name)) {
				Files.copy(in, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
			}
		}
		return target;
	}

}
