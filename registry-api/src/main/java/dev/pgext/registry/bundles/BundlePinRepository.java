package dev.pgext.registry.bundles;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Bundle pins per environment: proposals, the one effective pin, the history. Approving
 * locks the proposal row, then the environment (an advisory lock), so that racing
 * approvals see each other's outcome and an environment never has two effective pins.
 */
@Repository
class BundlePinRepository {

	private final JsonMapper json;

	private static final String SELECT = "select p.id, p.environment, p.sha256, p.pg_versions, p.state, p.reason, "
			+ "u.name, p.proposed_at, a.name, p.approved_at from bundle_pin p "
			+ "join registry_user u on u.id = p.proposed_by left join registry_user a on a.id = p.approved_by";

	private final JdbcClient jdbc;

	BundlePinRepository(JdbcClient jdbc, JsonMapper json) {
		this.json = json;
		this.jdbc = jdbc;
	}

	/**
	 * The full Postgres version per major of a registered bundle, if it is registered.
	 */
	Optional<Map<String, String>> bundleVersions(String hex) {
		return this.jdbc.sql("select pg_versions::text from bundle where sha256 = ?")
			.param(hex)
			.query(String.class)
			.optional()
			.map((json) -> this.json.readValue(json, new TypeReference<Map<String, String>>() {
			}));
	}

	long propose(String environment, String hex, Collection<String> majors, String reason, Long proposedBy) {
		return this.jdbc
			.sql("insert into bundle_pin (environment, sha256, pg_versions, reason, proposed_by) "
					+ "values (?, ?, ?, ?, ?) returning id")
			.params(environment, hex, majors.toArray(String[]::new), reason, proposedBy)
			.query(Long.class)
			.single();
	}

	/** Locks the proposal until the transaction ends; returns who proposed it. */
	Optional<Long> lockProposal(String environment, long id) {
		return this.jdbc.sql("select proposed_by from bundle_pin where environment = ? and id = ? for update")
			.params(environment, id)
			.query(Long.class)
			.optional();
	}

	/**
	 * Makes proposal {@code id} the environment's effective pin, superseding the previous
	 * one.
	 */
	void makeEffective(String environment, long id, Long approvedBy) {
		this.jdbc.sql("select pg_advisory_xact_lock(hashtext('bundle_pin'), hashtext(?))")
			.param(environment)
			.query((rs, n) -> 1)
			.list();
		this.jdbc.sql("update bundle_pin set state = 'superseded' where environment = ? and state = 'effective'")
			.param(environment)
			.update();
		this.jdbc.sql("update bundle_pin set state = 'effective', approved_by = ?, approved_at = now() where id = ?")
			.params(approvedBy, id)
			.update();
	}

	Optional<BundlePinController.PinFile> effective(String environment) {
		return this.jdbc.sql("select sha256, pg_versions from bundle_pin where environment = ? and state = 'effective'")
			.param(environment)
			.query((rs, n) -> new BundlePinController.PinFile(rs.getString(1),
					List.of((String[]) rs.getArray(2).getArray())))
			.optional();
	}

	/** Every proposal of the environment, newest first. */
	List<BundlePinController.Pin> history(String environment) {
		return this.jdbc.sql(SELECT + " where p.environment = ? order by p.id desc")
			.param(environment)
			.query((rs, n) -> pin(rs))
			.list();
	}

	/** Every proposal waiting for a second person's approval, oldest first. */
	List<BundlePinController.Pin> proposed() {
		return this.jdbc.sql(SELECT + " where p.state = 'proposed' order by p.id").query((rs, n) -> pin(rs)).list();
	}

	Optional<BundlePinController.Pin> find(String environment, long id) {
		return this.jdbc.sql(SELECT + " where p.environment = ? and p.id = ?")
			.params(environment, id)
			.query((rs, n) -> pin(rs))
			.optional();
	}

	private static BundlePinController.Pin pin(ResultSet rs) throws SQLException {
		return new BundlePinController.Pin(rs.getLong(1), rs.getString(2), rs.getString(3),
				List.of((String[]) rs.getArray(4).getArray()), rs.getString(5), rs.getString(6), rs.getString(7),
				rs.getTimestamp(8).toInstant(), rs.getString(9),
				(rs.getTimestamp(10) != null) ? rs.getTimestamp(10).toInstant() : null);
	}

	/**
	 * The catalog's change sequence: the newest id of the event outbox, which only grows
	 * and which every pin approval writes to. Signed pins carry it as their version.
	 */
	long changeSequence() {
		return this.jdbc.sql("select coalesce(max(id), 0) from event").query(Long.class).single();
	}

}
