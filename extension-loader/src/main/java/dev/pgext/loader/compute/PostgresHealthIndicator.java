package dev.pgext.loader.compute;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code postgres} in {@code /actuator/health}: up while the compute's server accepts
 * connections, down with the reason once start-up failed or the server crashed.
 */
@Component("postgres")
class PostgresHealthIndicator implements HealthIndicator {

	private final Compute compute;

	PostgresHealthIndicator(Compute compute) {
		this.compute = compute;
	}

	@Override
	public Health health() {
		Compute.ComputeStatus status = this.compute.status();
		Health.Builder health = switch (status.phase()) {
			case RUNNING -> Health.up();
			case FAILED -> Health.down();
			case WAITING_FOR_SPEC, STARTING -> Health.unknown();
			case STOPPED -> Health.outOfService();
		};
		health.withDetail("phase", status.phase());
		if (status.problem() != null) {
			health.withDetail("problem", status.problem());
		}
		if (status.pid() != null && status.pid() > 0) {
			health.withDetail("pid", status.pid());
		}
		return health.build();
	}

}
