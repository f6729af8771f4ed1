package dev.pgext.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

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

}
