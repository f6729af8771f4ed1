package dev.pgext.registry.audit;

import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Appends audit events. Callers write inside their own transaction, so an event exists
 * exactly when its mutation does.
 */
@Component
public class AuditLog {

	private final JsonMapper json;

	private final JdbcClient jdbc;

	AuditLog(JdbcClient jdbc, JsonMapper json) {
		this.json = json;
		this.jdbc = jdbc;
	}

	/** The newest {@code limit} events, of {@code target} only when it is given. */
	List<AuditController.AuditEvent> recent(String target, int limit) {
		String where = (target != null) ? " where target = :target" : "";
		var statement = this.jdbc
			.sql("select id, at, actor, action, target, detail::text from audit_event" + where
					+ " order by id desc limit :limit")
			.param("limit", limit);
		if (target != null) {
			statement = statement.param("target", target);
		}
		return statement
			.query((rs, n) -> new AuditController.AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(),
					rs.getString(3), rs.getString(4), rs.getString(5), this.json.readTree(rs.getString(6))))
			.list();
	}

	/**
	 * One audit event as the administrator's page shows it.
	 *
	 * @param id its id
	 * @param at when it happened
	 * @param actor who did it
	 * @param action what was done
	 * @param target to what
	 * @param detail the detail as JSON text
	 */
	public record Entry(long id, java.time.Instant at, String actor, String action, String target, String detail) {
	}

	/** The newest {@code limit} events, newest first. */
	public List<Entry> latest(int limit) {
		return recent(null, limit).stream()
			.map((e) -> new Entry(e.id(), e.at(), e.actor(), e.action(), e.target(), e.detail().toString()))
			.toList();
	}

	public void record(String actor, String action, String target, Map<String, ?> detail) {
		this.jdbc.sql("insert into audit_event (actor, action, target, detail) values (?, ?, ?, cast(? as jsonb))")
			.params(actor, action, target, this.json.writeValueAsString(detail))
			.update();
	}

}
