package dev.pgext.registry.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Webhook subscriptions and their dead letters, as the subscription API reads and changes
 * them (the delivery loop keeps its own claim queries in {@link WebhookDeliverer}).
 */
@Repository
class WebhookRepository {

	private static final String SELECT = "select id, url, event_types, active, cursor, attempts, last_error, "
			+ "created_at, owner_id from webhook_subscription";

	private final JdbcClient jdbc;

	WebhookRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** A new subscription that starts after the newest event; returns its id. */
	long subscribe(Long ownerId, String url, List<String> eventTypes, String secret) {
		return this.jdbc
			.sql("insert into webhook_subscription (owner_id, url, event_types, secret, cursor) "
					+ "values (?, ?, ?, ?, (select coalesce(max(id), 0) from event)) returning id")
			.params(ownerId, url, eventTypes.stream().distinct().toArray(String[]::new), secret)
			.query(Long.class)
			.single();
	}

	List<WebhookController.Subscription> ownedBy(Long ownerId) {
		return this.jdbc.sql(SELECT + " where owner_id = ? order by id")
			.param(ownerId)
			.query((rs, n) -> subscription(rs))
			.list();
	}

	/** The subscription when {@code ownerId} owns it or {@code any} is set. */
	Optional<WebhookController.Subscription> find(long id, Long ownerId, boolean any) {
		return this.jdbc.sql(SELECT + " where id = ? and (owner_id = ? or ?)")
			.params(id, ownerId, any)
			.query((rs, n) -> subscription(rs))
			.optional();
	}

	void deactivate(long id) {
		this.jdbc.sql("update webhook_subscription set active = false where id = ?").param(id).update();
	}

	List<WebhookController.DeadLetter> deadLetters(long id) {
		return this.jdbc
			.sql("select d.event_id, e.type, d.attempts, d.last_error, d.dead_at, d.redelivered_at "
					+ "from webhook_dead_letter d join event e on e.id = d.event_id where d.subscription_id = ? "
					+ "order by d.event_id")
			.param(id)
			.query((rs, n) -> new WebhookController.DeadLetter(rs.getLong(1), rs.getString(2), rs.getInt(3),
					rs.getString(4), rs.getTimestamp(5).toInstant(),
					(rs.getTimestamp(6) != null) ? rs.getTimestamp(6).toInstant() : null))
			.list();
	}

	boolean isDeadLetter(long id, long eventId) {
		return this.jdbc
			.sql("select exists (select 1 from webhook_dead_letter where subscription_id = ? and event_id = ?)")
			.params(id, eventId)
			.query(Boolean.class)
			.single();
	}

	private static WebhookController.Subscription subscription(ResultSet rs) throws SQLException {
		return new WebhookController.Subscription(rs.getLong(1), rs.getString(2),
				List.of((String[]) rs.getArray(3).getArray()), rs.getBoolean(4), rs.getLong(5), rs.getInt(6),
				rs.getString(7), rs.getTimestamp(8).toInstant());
	}

}
