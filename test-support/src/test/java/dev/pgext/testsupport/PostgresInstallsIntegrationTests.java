package dev.pgext.testsupport;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgext.model.postgres.PostgresInstall;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real {@code initdb} and {@code postgres} of the extracted binaries run, as root too.
 */
class PostgresInstallsIntegrationTests {

	@ParameterizedTest
	@ValueSource(ints = { 15, 17 })
	void initdbStartAndQueryARealServer(int major, @TempDir Path dir) throws Exception {
		PostgresInstall install = PostgresInstalls.shared(major);
		assertThat(install.extensionDir().resolve("hstore.control")).isRegularFile();
		assertThat(install.pkglibdir().resolve("hstore.so")).isRegularFile();

		try (PostgresCluster cluster = PostgresCluster.initdb(install, dir.resolve("data")).start(Map.of())) {
			assertThat(Files.readString(dir.resolve("data/PG_VERSION")).strip()).isEqualTo(Integer.toString(major));
			try (Connection connection = cluster.connect("postgres");
					Statement statement = connection.createStatement()) {
				ResultSet rs = statement
					.executeQuery("SELECT version(), current_setting('server_version_num')::int / 10000");
				assertThat(rs.next()).isTrue();
				assertThat(rs.getString(1)).startsWith("PostgreSQL " + major + ".");
				assertThat(rs.getInt(2)).isEqualTo(major);
				statement.execute("CREATE EXTENSION hstore");
				ResultSet hstore = statement.executeQuery("SELECT ('a=>1'::hstore) -> 'a'");
				assertThat(hstore.next()).isTrue();
				assertThat(hstore.getString(1)).isEqualTo("1");
			}
		}
	}

	@Test
	void aCopyIsAWholeInstallationOfItsOwn(@TempDir Path dir) throws Exception {
		PostgresInstall shared = PostgresInstalls.shared(15);
		PostgresInstall copy = PostgresInstalls.copy(15, dir.resolve("pg15"));
		assertThat(copy.isComplete()).isTrue();
		assertThat(copy.root()).isNotEqualTo(shared.root());
		try (Stream<Path> files = Files.walk(shared.root())) {
			for (Path file : files.toList()) {
				Path copied = copy.root().resolve(shared.root().relativize(file));
				assertThat(Files.isSymbolicLink(copied)).as(copied.toString()).isEqualTo(Files.isSymbolicLink(file));
				assertThat(Files.getPosixFilePermissions(copied, LinkOption.NOFOLLOW_LINKS)).as(copied.toString())
					.isEqualTo(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
			}
		}
		Files.delete(copy.extensionDir().resolve("hstore.control"));
		assertThat(shared.extensionDir().resolve("hstore.control")).as("the shared installation is untouched")
			.isRegularFile();
		assertThat(PostgresInstalls.copy(15, dir.resolve("pg15")).root()).as("a complete copy is kept as it is")
			.isEqualTo(copy.root());
	}

}
