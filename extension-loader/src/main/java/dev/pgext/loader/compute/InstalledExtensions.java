package dev.pgext.loader.compute;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.pgext.loader.postgres.PostgresSupervisor;

/**
 * The extensions created in the compute's databases ({@code pg_extension} of every
 * database that accepts connections), read over JDBC as the superuser.
 */
final class InstalledExtensions {

	private InstalledExtensions() {
	}

	static Set<String> of(PostgresSupervisor postgres) throws SQLException {
		List<String> databases = new ArrayList<>();
		try (Connection connection = postgres.connect("postgres");
				Statement statement = connection.createStatement();
				ResultSet rows = statement
					.executeQuery("SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname")) {
			while (rows.next()) {
				databases.add(rows.getString(1));
			}
		}
		Set<String> names = new LinkedHashSet<>();
		for (String database : databases) {
			try (Connection connection = postgres.connect(database);
					Statement statement = connection.createStatement();
					ResultSet rows = statement.executeQuery("SELECT extname FROM pg_extension")) {
				while (rows.next()) {
					names.add(rows.getString(1));
				}
			}
		}
		return names;
	}

}
