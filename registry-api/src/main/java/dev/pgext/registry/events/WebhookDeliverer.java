package dev.pgext.registry.events;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import dev.pgext.registry.jobs.BackgroundStep;
import dev.pgext.registry.jobs.JobProperties;

/**
 * Delivers the next event of one due subscription. The subscription row stays locked
 * ({@code FOR UPDATE SKIP LOCKED}) from the choice of the event to the recorded outcome,
 * so each subscription has at most one delivery in flight across all instances: events
 * arrive in order, and once each under normal operation. A crash between the subscriber's
 * answer and the commit repeats that one event (at least once).
 */
@Component
class WebhookDeliverer implements BackgroundStep {

	private static final String VISIBLE = "e.type = any(s.event_types) and (e.tenant is null or e.tenant = u.tenant)";

	private final JsonMapper json;

	private final JdbcClient jdbc;

	private final TransactionTemplate transaction;

	private final WebhookProperties properties;

	private final RestClient http;

	WebhookDeliverer(JdbcClient jdbc, TransactionTemplate transaction, WebhookProperties properties,
			RestClient.Builder http, JsonMapper json) {
		this.json = json;
		this.jdbc = jdbc;
		this.transaction = transaction;
		this.properties = properties;
		// a redirect is an answer like any other non-2xx: the subscriber's URL is the one
		// the secret was given for
		HttpClientSettings settings = HttpClientSettings.defaults()
			.withRedirects(HttpRedirects.DONT_FOLLOW)
			.withTimeouts(properties.connectTimeout(), properties.requestTimeout());
		this.http = http.requestFactory(ClientHttpRequestFactoryBuilder.jdk().build(settings)).build();
	}

	private record Subscription(long id, String url, String secret, long cursor, int attempts) {
	}

	/**
	 * One stored event.
	 *
	 * @param id its id
	 * @param body the JSON a subscriber receives
	 */
	record StoredEvent(long id, String type, byte[] body) {
	}

	@Override
	public String name() {
		return "webhooks";
	}

	@Override
	public boolean runOnce() {
		Boolean delivered = this.transaction.execute((status) -> deliverNext());
		return Boolean.TRUE.equals(delivered);
	}

	private boolean deliverNext() {
		Optional<Subscription> due = this.jdbc.sql("select s.id, s.url, s.secret, s.cursor, s.attempts "
				+ "from webhook_subscription s join registry_user u on u.id = s.owner_id "
				+ "where s.active and s.next_attempt_at <= now() and exists (select 1 from event e where e.id > s.cursor "
				+ "and " + VISIBLE + ") order by s.next_attempt_at, s.id limit 1 for update of s skip locked")
			.query((rs, n) -> new Subscription(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
					rs.getInt(5)))
			.optional();
		if (due.isEmpty()) {
			return false;
		}
		Subscription subscription = due.get();
		StoredEvent event = this.jdbc
			.sql("select e.id from event e, webhook_subscription s join registry_user u on u.id = s.owner_id "
					+ "where s.id = ? and e.id > s.cursor and " + VISIBLE + " order by e.id limit 1")
			.param(subscription.id())
			.query(Long.class)
			.optional()
			.flatMap(this::event)
			.orElseThrow();
		String failure = send(subscription.url(), subscription.secret(), event);
		if (failure == null) {
			this.jdbc
				.sql("update webhook_subscription set cursor = ?, attempts = 0, last_error = null, "
						+ "next_attempt_at = now() where id = ?")
				.params(event.id(), subscription.id())
				.update();
			return true;
		}
		int attempts = subscription.attempts() + 1;
		if (attempts >= this.properties.maxAttempts()) {
			this.jdbc
				.sql("insert into webhook_dead_letter (subscription_id, event_id, attempts, last_error) "
						+ "values (?, ?, ?, ?) on conflict (subscription_id, event_id) do update set "
						+ "attempts = excluded.attempts, last_error = excluded.last_error, dead_at = now(), "
						+ "redelivered_at = null")
				.params(subscription.id(), event.id(), attempts, failure)
				.update();
			this.jdbc
				.sql("update webhook_subscription set cursor = ?, attempts = 0, last_error = ?, "
						+ "next_attempt_at = now() where id = ?")
				.params(event.id(), failure, subscription.id())
				.update();
			return true;
		}
		Duration delay = JobProperties.backoff(this.properties.retryBase(), this.properties.retryMax(), attempts);
		this.jdbc
			.sql("update webhook_subscription set attempts = ?, last_error = ?, "
					+ "next_attempt_at = now() + make_interval(secs => ?) where id = ?")
			.params(attempts, failure, delay.toMillis() / 1000.0, subscription.id())
			.update();
		return true;
	}

	/** The event as subscribers receive it. */
	Optional<StoredEvent> event(long id) {
		return this.jdbc.sql("select id, type, subject, tenant, created_at, data::text from event where id = ?")
			.param(id)
			.query((rs, n) -> {
				Map<String, Object> body = new LinkedHashMap<>();
				body.put("id", rs.getLong(1));
				body.put("type", rs.getString(2));
				body.put("subject", rs.getString(3));
				body.put("tenant", rs.getString(4));
				body.put("created_at", rs.getTimestamp(5).toInstant().toString());
				body.put("data", this.json.readTree(rs.getString(6)));
				return new StoredEvent(rs.getLong(1), rs.getString(2), this.json.writeValueAsBytes(body));
			})
			.optional();
	}

	/**
	 * Posts {@code event}; {@code null} when the subscriber took it (2xx), else why not.
	 */
	String send(String url, String secret, StoredEvent event) {
		long now = Instant.now().getEpochSecond();
		try {
			// checked before each delivery: the name may resolve elsewhere by now
			URI target = URI.create(url);
			String refusal = this.properties.allowPrivateAddresses() ? null : WebhookTarget.refusal(target);
			if (refusal != null) {
				return "not sent: " + refusal;
			}
			int status = this.http.post()
				.uri(target)
				.contentType(MediaType.APPLICATION_JSON)
				.header("User-Agent", "pgext-registry-webhooks")
				.header("X-Pgext-Event", event.type())
				.header("X-Pgext-Delivery", Long.toString(event.id()))
				.header(WebhookSignature.HEADER, WebhookSignature.header(secret, now, event.body()))
				.body(event.body())
				.exchange((request, response) -> response.getStatusCode().value());
			return (status >= 200 && status < 300) ? null : "HTTP " + status;
		}
		catch (IllegalArgumentException ex) {
			// not a URI, or not an absolute http(s) one
			return "invalid URL: " + ex.getMessage();
		}
		catch (ResourceAccessException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (Thread.currentThread().isInterrupted()) {
				// the instance is stopping: roll back, so the attempt does not count
				throw new IllegalStateException("webhook delivery interrupted", ex);
			}
			return cause.getClass().getSimpleName() + ((cause.getMessage() != null) ? ": " + cause.getMessage() : "");
		}
	}

}
