package dev.pgext.registry.events;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.jobs.JobQueue;
import dev.pgext.registry.jobs.Operations;
import dev.pgext.registry.problem.RegistryException;

/**
 * {@code /api/v1/webhooks}: subscriptions (URL, event types, secret), their dead-letter
 * lists and redelivery by hand. A subscription receives the public events and those of
 * its owner's tenant that happen after it was created.
 */
@Tag(name = "events",
		description = "Webhook subscriptions with signed deliveries, dead letters, and the Atom feed of releases")
@RestController
class WebhookController {

	/** The job kind that redelivers one dead-lettered event. */
	static final String REDELIVER = "webhook.redeliver";

	private final WebhookRepository webhooks;

	private final JobQueue jobs;

	private final AuditLog audit;

	private final WebhookProperties properties;

	WebhookController(WebhookRepository webhooks, JobQueue jobs, AuditLog audit, WebhookProperties properties) {
		this.webhooks = webhooks;
		this.jobs = jobs;
		this.audit = audit;
		this.properties = properties;
	}

	/**
	 * A new subscription.
	 *
	 * @param url where events are POSTed (http or https)
	 * @param eventTypes which event types to send
	 * @param secret the HMAC key of the signature header; at least 16 characters
	 */
	record SubscriptionRequest(@NotBlank String url,
			@JsonProperty("event_types") @NotEmpty List<@NotBlank String> eventTypes,
			@NotBlank @Size(min = 16, max = 256) String secret) {
	}

	/**
	 * A subscription, without its secret.
	 *
	 * @param id its id
	 * @param url where events go
	 * @param eventTypes which types
	 * @param active whether it still receives events
	 * @param lastDelivered the id of the last event it is done with
	 * @param failedAttempts failed attempts at the event it waits on
	 * @param lastError why the last attempt failed
	 * @param createdAt when it was created
	 */
	record Subscription(long id, String url, @JsonProperty("event_types") List<String> eventTypes, boolean active,
			@JsonProperty("last_delivered_event") long lastDelivered,
			@JsonProperty("failed_attempts") int failedAttempts, @JsonProperty("last_error") String lastError,
			@JsonProperty("created_at") Instant createdAt) {
	}

	/**
	 * An event the subscriber did not take within the retry budget.
	 *
	 * @param eventId the event
	 * @param type its type
	 * @param attempts how many attempts were made
	 * @param lastError why the last one failed
	 * @param deadAt when it was given up
	 * @param redeliveredAt when a redelivery by hand succeeded
	 */
	record DeadLetter(@JsonProperty("event_id") long eventId, String type, int attempts,
			@JsonProperty("last_error") String lastError, @JsonProperty("dead_at") Instant deadAt,
			@JsonProperty("redelivered_at") Instant redeliveredAt) {
	}

	@Operation(summary = "Subscribe a webhook to event types")
	@ResponseStatus(HttpStatus.CREATED)
	@PostMapping("/api/v1/webhooks")
	@Transactional
	ResponseEntity<Subscription> subscribe(@Parameter(hidden = true) Caller caller,
			@Valid @RequestBody SubscriptionRequest request) {
		caller.requireAuthenticated();
		URI url;
		try {
			url = URI.create(request.url());
		}
		catch (IllegalArgumentException ex) {
			throw RegistryException.badRequest("invalid-webhook", "url: " + ex.getMessage());
		}
		if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
			throw RegistryException.badRequest("invalid-webhook", "url must be an absolute http or https URL");
		}
		String refusal = this.properties.allowPrivateAddresses() ? null : WebhookTarget.refusal(url);
		if (refusal != null) {
			throw RegistryException.badRequest("invalid-webhook", "url: " + refusal);
		}
		for (String type : request.eventTypes()) {
			if (!EventTypes.ALL.contains(type)) {
				throw RegistryException.badRequest("invalid-webhook",
						"unknown event type '" + type + "'; known: " + String.join(", ", EventTypes.ALL));
			}
		}
		long id = this.webhooks.subscribe(caller.userId(), url.toString(), request.eventTypes(), request.secret());
		this.audit.record(caller.name(), "webhook.subscribe", url.toString(),
				Map.of("id", id, "event_types", request.eventTypes()));
		return ResponseEntity.created(URI.create("/api/v1/webhooks/" + id)).body(find(caller, id));
	}

	@Operation(operationId = "listWebhooks", summary = "The caller's webhook subscriptions")
	@GetMapping("/api/v1/webhooks")
	List<Subscription> list(@Parameter(hidden = true) Caller caller) {
		caller.requireAuthenticated();
		return this.webhooks.ownedBy(caller.userId());
	}

	@Operation(operationId = "getWebhook", summary = "One webhook subscription")
	@GetMapping("/api/v1/webhooks/{id}")
	Subscription get(@Parameter(hidden = true) Caller caller, @PathVariable long id) {
		return find(caller, id);
	}

	@Operation(summary = "Stop a webhook subscription")
	@DeleteMapping("/api/v1/webhooks/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	@Transactional
	void unsubscribe(@Parameter(hidden = true) Caller caller, @PathVariable long id) {
		find(caller, id);
		this.webhooks.deactivate(id);
		this.audit.record(caller.name(), "webhook.unsubscribe", Long.toString(id), Map.of());
	}

	@Operation(summary = "Events a subscription gave up on")
	@GetMapping("/api/v1/webhooks/{id}/dead-letters")
	List<DeadLetter> deadLetters(@Parameter(hidden = true) Caller caller, @PathVariable long id) {
		find(caller, id);
		return this.webhooks.deadLetters(id);
	}

	@Operation(summary = "Redeliver a dead-lettered event (202 with an operation)")
	@ResponseStatus(HttpStatus.ACCEPTED)
	@PostMapping("/api/v1/webhooks/{id}/dead-letters/{eventId}/redeliver")
	@Transactional
	ResponseEntity<dev.pgext.registry.jobs.Operation> redeliver(@Parameter(hidden = true) Caller caller,
			@PathVariable long id, @PathVariable long eventId) {
		find(caller, id);
		if (!this.webhooks.isDeadLetter(id, eventId)) {
			throw RegistryException.notFound("event " + eventId + " is not in the dead letters of webhook " + id);
		}
		long job = this.jobs.enqueue(REDELIVER, Map.of("subscription", id, "event", eventId), caller.name());
		this.audit.record(caller.name(), "webhook.redeliver", Long.toString(id), Map.of("event", eventId));
		return Operations.accepted(this.jobs, job);
	}

	private Subscription find(Caller caller, long id) {
		caller.requireAuthenticated();
		return this.webhooks.find(id, caller.userId(), caller.isAdmin())
			.orElseThrow(() -> RegistryException.notFound("no webhook " + id));
	}

}
