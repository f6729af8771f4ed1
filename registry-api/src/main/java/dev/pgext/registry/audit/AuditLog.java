package dev.pgext.registry.audit;

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

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JdbcClient jdbc;

	AuditLog(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	public void record(String actor, String action, String target, Map<String, ?> detail) {
		this.jdbc.sql("insert into audit_event (actor, action, target, detail) values (?, ?, ?, cast(? as jsonb))")
			.params(actor, action, target, JSON.writeValueAsString(detail))
			.update();
	}

}
