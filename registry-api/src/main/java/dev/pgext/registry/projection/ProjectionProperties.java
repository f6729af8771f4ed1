package dev.pgext.registry.projection;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the projections of the catalog in the store are kept up to date.
 *
 * @param fullReconcileInterval how often some instance reconciles every target, which
 * heals what a lost job or a hand-made change left behind; zero turns the periodic run
 * off
 */
@ConfigurationProperties("pgext.registry.projection")
@Validated
public record ProjectionProperties(@NotNull @DefaultValue("10m") Duration fullReconcileInterval) {
}
