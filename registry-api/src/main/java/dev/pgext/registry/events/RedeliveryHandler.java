package dev.pgext.registry.events;

import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.registry.jobs.Job;
import dev.pgext.registry.jobs.JobHandler;

/**
 * Sends one dead-lettered event again, outside the subscription's order (it was given up
 * on); a failure is retried as a job.
 */
@Component
class RedeliveryHandler implements JobHandler {

	private final JdbcClient jdbc;

	private final WebhookDeliverer deliverer;

	RedeliveryHandler(JdbcClient jdbc, WebhookDeliverer deliverer) {
		this.jdbc = jdbc;
		this.deliverer = deliverer;
	}

	@Override
	public String kind() {
		return WebhookController.REDELIVER;
	}

	@Override
	public Object run(Job job, Progress progress) {
		long subscription = job.payload().path("subscription").asLong();
		long eventId = job.payload().path("event").asLong();
		Map.Entry<String, String> target = this.jdbc.sql("select url, secret from webhook_subscription where id = ?")
			.param(subscription)
			.query((rs, n) -> Map.entry(rs.getString(1), rs.getString(2)))
			.single();
		WebhookDeliverer.StoredEvent event = this.deliverer.event(eventId).orElseThrow();
		String failure = this.deliverer.send(target.getKey(), target.getValue(), event);
		if (failure != null) {
			throw new IllegalStateException("the subscriber did not take event " + eventId + ": " + failure);
		}
		this.jdbc
			.sql("update webhook_dead_letter set redelivered_at = now() where subscription_id = ? and event_id = ?")
			.params(subscription, eventId)
			.update();
		return Map.of("subscription", subscription, "event", eventId, "delivered", true);
	}

}
