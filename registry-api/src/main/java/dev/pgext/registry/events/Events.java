package dev.pgext.registry.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.registry.projection.Projections;

/**
 * Writes events into the outbox inside the caller's transaction, so an event exists
 * exactly when its change does. A change of the public scope also asks for a run of the
 * mirror projection, in the same transaction.
 */
@Component
public class Events {

	private final JsonMapper json;

	private final JdbcClient jdbc;

	private final Projections projections;

	Events(JdbcClient jdbc, Projections projections, JsonMapper json) {
		this.json = json;
		this.jdbc = jdbc;
		this.projections = projections;
	}

	/**
	 * An event as recorded.
	 *
	 * @param id its position in the outbox
	 * @param at when
	 * @param data its details
	 */
	record Recorded(long id, Instant at, JsonNode data) {
	}

	/** The newest {@code limit} public events of {@code type}, newest first. */
	List<Recorded> recentPublic(String type, int limit) {
		return this.jdbc
			.sql("select id, created_at, data::text from event where type = ? and tenant is null "
					+ "order by id desc limit ?")
			.params(type, limit)
			.query((rs, n) -> new Recorded(rs.getLong(1), rs.getTimestamp(2).toInstant(),
					this.json.readTree(rs.getString(3))))
			.list();
	}

	/**
	 * Records one event. Call it last in the transaction: the lock it takes orders event
	 * ids by commit and is held until the commit.
	 * @param type one of {@link EventTypes}
	 * @param subject what changed, such as a distribution or environment name
	 * @param tenant the tenant whose private scope changed, {@code null} for public
	 * changes
	 * @param actor who made the change
	 * @param data the event's details
	 */
	public void record(String type, String subject, String tenant, String actor, Map<String, ?> data) {
		this.jdbc.sql("select pg_advisory_xact_lock(hashtext('pgext-event-outbox'))").query((rs, n) -> 1).list();
		this.jdbc.sql("insert into event (type, subject, tenant, data) values (?, ?, ?, cast(? as jsonb))")
			.params(type, subject, tenant, this.json.writeValueAsString(data))
			.update();
		if (tenant == null && !type.startsWith("bundle_pin.")) {
			this.projections.requestMirror(actor);
		}
	}

}
