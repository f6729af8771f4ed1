package dev.pgext.loader.trust;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code metadataTrust} in {@code /actuator/health}: down while an index or manifest the
 * loader last read was refused (unsigned, wrongly signed, by an unknown key, expired or
 * rolled back), with each refusal's reason.
 */
@Component("metadataTrust")
class MetadataTrustHealthIndicator implements HealthIndicator {

	private final MetadataTrust trust;

	MetadataTrustHealthIndicator(MetadataTrust trust) {
		this.trust = trust;
	}

	@Override
	public Health health() {
		if (this.trust.rejections().isEmpty()) {
			return Health.up().withDetail("verifying", this.trust.active()).build();
		}
		Health.Builder health = Health.down();
		this.trust.rejections()
			.forEach((rejection) -> health.withDetail(rejection.document(),
					rejection.reason() + ": " + rejection.message()));
		return health.build();
	}

}
