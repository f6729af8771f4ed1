package dev.pgext.testsupport;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL database of its own for one test class.
 *
 * @param jdbcUrl JDBC URL of the database
 * @param username user name
 * @param password password
 */
public record TestDatabase(String jdbcUrl, String username, String password) {

	/** A plain (non-pooled) data source for the database. */
	public DataSource dataSource() {
		PGSimpleDataSource ds = new PGSimpleDataSource();
		ds.setUrl(this.jdbcUrl);
		ds.setUser(this.username);
		ds.setPassword(this.password);
		return ds;
	}

}
