package dev.pgext.loader.hook;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

import dev.pgext.loader.LoaderClient;
import dev.pgext.loader.compute.Compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A stock PostgreSQL with the {@code pgext_loader} hook preloaded asks the loader for
 * what it lacks by itself: {@code CREATE EXTENSION} and {@code LOAD} work with no JIT
 * call from outside, a refused extension fails with the hook's SQLSTATE and the loader's
 * reason, and only a role that could run the statement, with a name Postgres accepts,
 * makes it ask: any other gets the error Postgres gives it with the files in place, or
 * Postgres' own answer.
 * <p>
 * One subclass per Postgres major CI builds the hook for; each starts one loader and one
 * compute of its major and runs these cases, plus what only that major has to prove.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@Import(ExtensionServerRequests.class)
@DirtiesContext
abstract class PgextLoaderHookIntegrationTests {

	@Autowired
	ExtensionServerRequests requests;

	/** The compute of the subclass's major. */
	abstract HookCompute compute();

	/**
	 * The compute stops first (as the context's close, which comes after this, stops it
	 * again without effect): a running Postgres may still write into the data directory
	 * being deleted.
	 */
	@AfterAll
	static void deleteCompute(ApplicationContext context) throws IOException {
		context.getBean(Compute.class).destroy();
		HookCompute.deleteAll();
	}

	@BeforeEach
	void computeIsReady() {
		LoaderClient loader = new LoaderClient(compute().loaderPort);
		await("the compute becomes ready").atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> loader.get("/actuator/health/readiness").statusCode() == 200);
	}

	@Test
	void aPlainCreateExtensionFetchesTheExtensionThroughTheHook() throws Exception {
		assertThat(compute().install.pkglibdir().resolve("hstore.so")).doesNotExist();
		int before = this.requests.count();
		try (Connection connection = compute().connect(); Statement sql = connection.createStatement()) {
			assertThat(value(sql, "SHOW shared_preload_libraries")).isEqualTo("pgext_loader,pg_stat_statements");
			assertThat(value(sql, "SHOW server_version_num")).startsWith(Integer.toString(compute().major.value()));
			sql.execute("CREATE EXTENSION hstore");
			assertThat(value(sql, "SELECT ('a=>1'::hstore) -> 'a'")).isEqualTo("1");
		}
		assertThat(compute().install.pkglibdir().resolve("hstore.so")).isRegularFile();
		assertThat(this.requests.count()).isEqualTo(before + 1);
	}

	@Test
	void filesAlreadyInPlaceCostNoRequest() throws Exception {
		try (Connection connection = compute().connect(); Statement sql = connection.createStatement()) {
			sql.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm");
			int before = this.requests.count();
			sql.execute("DROP EXTENSION pg_trgm");
			sql.execute("CREATE EXTENSION pg_trgm");
			sql.execute("LOAD 'pg_trgm'");
			assertThat(this.requests.count()).isEqualTo(before);
		}
	}

	@Test
	void loadFetchesALibrary() throws Exception {
		assertThat(compute().install.pkglibdir().resolve("auto_explain.so")).doesNotExist();
		try (Connection connection = compute().connect(); Statement sql = connection.createStatement()) {
			sql.execute("LOAD 'auto_explain'");
			assertThat(value(sql, "SHOW auto_explain.log_min_duration")).isEqualTo("-1");
		}
		assertThat(compute().install.pkglibdir().resolve("auto_explain.so")).isRegularFile();
	}

	@Test
	void anExtensionThisComputeMayNotUseFailsWithTheHooksSqlstateAndTheLoadersReason() throws Exception {
		try (Connection connection = compute().connect(); Statement sql = connection.createStatement()) {
			assertThatExceptionOfType(PSQLException.class).isThrownBy(() -> sql.execute("CREATE EXTENSION pgcrypto"))
				.satisfies((ex) -> {
					assertThat(ex.getSQLState()).isEqualTo("PX001");
					assertThat(ex.getServerErrorMessage().getMessage())
						.isEqualTo("extension \"pgcrypto\" is not available to this compute");
					assertThat(ex.getServerErrorMessage().getDetail()).isEqualTo("The extension loader answered 404: "
							+ "no extension available to this compute provides file or extension pgcrypto.control");
				});
		}
		assertThat(compute().install.extensionDir().resolve("pgcrypto.control")).doesNotExist();
		assertThat(compute().install.pkglibdir().resolve("pgcrypto.so")).doesNotExist();
	}

	@Test
	void aRoleWithoutCreateOnTheDatabaseGetsPostgresOwnErrorAndNoRequestIsSent() throws Exception {
		try (Connection admin = compute().connect(); Statement sql = admin.createStatement()) {
			sql.execute("CREATE ROLE app_plain LOGIN");
			sql.execute("GRANT CREATE ON SCHEMA public TO app_plain");
		}
		int before = this.requests.count();
		try (Connection connection = compute().connect("app_plain"); Statement sql = connection.createStatement()) {
			// trusted, but creating it needs CREATE on the database
			assertThatExceptionOfType(PSQLException.class).isThrownBy(() -> sql.execute("CREATE EXTENSION btree_gin"))
				.satisfies((ex) -> {
					assertThat(ex.getServerErrorMessage().getMessage())
						.isEqualTo("permission denied to create extension \"btree_gin\"");
					assertThat(ex.getServerErrorMessage().getHint())
						.isEqualTo("Must have CREATE privilege on current database to create this extension.");
					assertThat(ex.getSQLState()).isEqualTo("42501");
				});
			// no control file: not even whether it is trusted is known, so CREATE on the
			// database is needed
			assertThatExceptionOfType(PSQLException.class).isThrownBy(() -> sql.execute("CREATE EXTENSION pg_nothere"))
				.satisfies((ex) -> {
					assertThat(ex.getSQLState()).doesNotStartWith("PX");
					assertThat(ex.getServerErrorMessage().getMessage()).contains("pg_nothere");
				});
			// a non-superuser may LOAD only from $libdir/plugins
			assertThatExceptionOfType(PSQLException.class).isThrownBy(() -> sql.execute("LOAD 'auto_explain'"))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("42501"));
		}
		assertThat(this.requests.count()).isEqualTo(before);
		assertThat(compute().install.pkglibdir().resolve("btree_gin.so")).doesNotExist();
	}

	@Test
	void aRoleWithCreateOnTheDatabaseFetchesATrustedExtensionButNotAnUntrustedOne() throws Exception {
		try (Connection admin = compute().connect(); Statement sql = admin.createStatement()) {
			sql.execute("CREATE ROLE app_owner LOGIN");
			sql.execute("GRANT CREATE ON DATABASE postgres TO app_owner");
			sql.execute("GRANT CREATE ON SCHEMA public TO app_owner");
		}
		assertThat(compute().install.extensionDir().resolve("dblink.control")).isRegularFile();
		try (Connection connection = compute().connect("app_owner"); Statement sql = connection.createStatement()) {
			int before = this.requests.count();
			assertThatExceptionOfType(PSQLException.class).isThrownBy(() -> sql.execute("CREATE EXTENSION dblink"))
				.satisfies((ex) -> {
					assertThat(ex.getServerErrorMessage().getMessage())
						.isEqualTo("permission denied to create extension \"dblink\"");
					assertThat(ex.getServerErrorMessage().getHint())
						.isEqualTo("Must be superuser to create this extension.");
					assertThat(ex.getSQLState()).isEqualTo("42501");
				});
			assertThat(this.requests.count()).isEqualTo(before);
			assertThat(compute().install.pkglibdir().resolve("dblink.so")).doesNotExist();

			sql.execute("CREATE EXTENSION tablefunc");
			assertThat(value(sql, "SELECT count(*) FROM normal_rand(3, 0, 1)")).isEqualTo("3");
			assertThat(this.requests.count()).isEqualTo(before + 1);
		}
	}

	@Test
	void onlyTheOwnerOfAnExtensionMakesItsUpdateAsk() throws Exception {
		try (Connection admin = compute().connect(); Statement sql = admin.createStatement()) {
			sql.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm");
			sql.execute("CREATE ROLE app_updater LOGIN");
		}
		int before = this.requests.count();
		try (Connection connection = compute().connect("app_updater"); Statement sql = connection.createStatement()) {
			assertThatExceptionOfType(PSQLException.class)
				.isThrownBy(() -> sql.execute("ALTER EXTENSION pg_trgm UPDATE TO '9.9'"))
				.satisfies((ex) -> {
					assertThat(ex.getServerErrorMessage().getMessage()).isEqualTo("must be owner of extension pg_trgm");
					assertThat(ex.getSQLState()).isEqualTo("42501");
				});
		}
		assertThat(this.requests.count()).isEqualTo(before);
		try (Connection admin = compute().connect(); Statement sql = admin.createStatement()) {
			// no script leads to 9.9: the owner's statement asks, then Postgres says so
			assertThatExceptionOfType(PSQLException.class)
				.isThrownBy(() -> sql.execute("ALTER EXTENSION pg_trgm UPDATE TO '9.9'"))
				.satisfies((ex) -> assertThat(ex.getServerErrorMessage().getMessage())
					.startsWith("extension \"pg_trgm\" has no update path from version"));
		}
		assertThat(this.requests.count()).isEqualTo(before + 1);
	}

	@Test
	void aNamePostgresRejectsGetsPostgresOwnErrorAndNoRequestIsSent() throws Exception {
		int before = this.requests.count();
		try (Connection connection = compute().connect(); Statement sql = connection.createStatement()) {
			for (String hostile : new String[] { "../x", "a/b", "x--y", "-x", "x-" }) {
				assertThatExceptionOfType(PSQLException.class)
					.isThrownBy(() -> sql.execute("CREATE EXTENSION \"" + hostile + "\""))
					.satisfies((ex) -> {
						assertThat(ex.getSQLState()).isEqualTo("22023");
						assertThat(ex.getServerErrorMessage().getMessage())
							.isEqualTo("invalid extension name: \"" + hostile + "\"");
					});
			}
			assertThatExceptionOfType(PSQLException.class)
				.isThrownBy(() -> sql.execute("CREATE EXTENSION dblink VERSION '../1.0'"))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("22023"));
		}
		assertThat(this.requests.count()).isEqualTo(before);
	}

	static String value(Statement sql, String query) throws Exception {
		try (ResultSet rows = sql.executeQuery(query)) {
			assertThat(rows.next()).as("a row from %s", query).isTrue();
			return rows.getString(1);
		}
	}

}
