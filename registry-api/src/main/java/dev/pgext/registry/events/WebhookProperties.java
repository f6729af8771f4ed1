package dev.pgext.registry.events;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Webhook delivery. The defaults retry one event for about four and a half hours before
 * it goes to the dead-letter list.
 *
 * @param retryBase delay after the first failed attempt; it doubles with each further one
 * @param retryMax longest delay between two attempts
 * @param maxAttempts attempts after which an event is dead-lettered and the subscription
 * moves on to the next
 * @param connectTimeout how long to wait for the subscriber's server to accept a
 * connection
 * @param requestTimeout how long to wait for its answer
 * @param allowPrivateAddresses whether a subscription may name a host on a loopback,
 * link-local, private or otherwise internal address (a registry whose subscribers are on
 * its own network); refused by default, at subscription and before each delivery
 */
@ConfigurationProperties("pgext.registry.webhooks")
@Validated
public record WebhookProperties(@NotNull @DefaultValue("10s") Duration retryBase,
		@NotNull @DefaultValue("1h") Duration retryMax, @Min(1) @DefaultValue("12") int maxAttempts,
		@NotNull @DefaultValue("5s") Duration connectTimeout, @NotNull @DefaultValue("10s") Duration requestTimeout,
		@DefaultValue("false") boolean allowPrivateAddresses) {
}
