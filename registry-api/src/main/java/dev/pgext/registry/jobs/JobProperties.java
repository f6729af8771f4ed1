package dev.pgext.registry.jobs;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How this instance takes part in background work.
 *
 * @param enabled whether this instance runs background work at all (jobs and webhook
 * deliveries); an instance that does not still enqueues
 * @param pollInterval pause between looks for due work when there was none
 * @param lease how long a claimed job stays with this instance without a heartbeat before
 * another instance may take it over
 * @param retryBase delay before the second attempt of a failed job; it doubles with each
 * further attempt
 * @param retryMax longest delay between two attempts
 * @param maxAttempts attempts after which a failing job is dead
 * @param retention how long finished jobs (operations) stay readable before they are
 * deleted
 */
@ConfigurationProperties("pgext.registry.jobs")
@Validated
public record JobProperties(@DefaultValue("true") boolean enabled, @NotNull @DefaultValue("1s") Duration pollInterval,
		@NotNull @DefaultValue("60s") Duration lease, @NotNull @DefaultValue("2s") Duration retryBase,
		@NotNull @DefaultValue("10m") Duration retryMax, @Min(1) @DefaultValue("8") int maxAttempts,
		@NotNull @DefaultValue("7d") Duration retention) {

	/** The delay after failed attempt number {@code attempt} (1 for the first). */
	public static Duration backoff(Duration base, Duration max, int attempt) {
		int shift = Math.min(Math.max(attempt - 1, 0), 30);
		Duration delay = base.multipliedBy(1L << shift);
		return (delay.compareTo(max) > 0 || delay.isNegative()) ? max : delay;
	}

}
