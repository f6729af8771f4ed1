package dev.pgext.loader.compute;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.pgext.loader.LoaderProperties;

/**
 * With {@code pgext.loader.exit-on-failure}, ends the loader once its compute has failed:
 * a failed loader takes no second spec and restarts nothing, so the process that
 * supervises it (Docker's restart policy, systemd, Kubernetes) is the one that can bring
 * the compute back, by starting a fresh loader that converges from what this one left.
 * The context is closed first (its shutdown stops Postgres, if one is left), then the JVM
 * exits with status 1, on a thread of its own: the failure is reported from the start-up
 * thread or Postgres' exit callback, which the shutdown waits for.
 */
@Component
class ExitOnFailure {

	private static final Logger log = LoggerFactory.getLogger(ExitOnFailure.class);

	private final ConfigurableApplicationContext context;

	private final LoaderProperties properties;

	private final ObjectProvider<Compute> compute;

	ExitOnFailure(ConfigurableApplicationContext context, LoaderProperties properties,
			ObjectProvider<Compute> compute) {
		this.context = context;
		this.properties = properties;
		this.compute = compute;
	}

	@EventListener
	void livenessChanged(AvailabilityChangeEvent<LivenessState> event) {
		if (event.getState() != LivenessState.BROKEN || !this.properties.exitOnFailure()) {
			return;
		}
		Compute failed = this.compute.getIfAvailable();
		String problem = (failed != null) ? failed.status().problem() : null;
		log.error("The compute failed ({}); the loader exits (pgext.loader.exit-on-failure) so that its "
				+ "supervisor starts a fresh one", problem);
		Thread exit = new Thread(() -> System.exit(SpringApplication.exit(this.context, () -> 1)), "pgext-exit");
		exit.start();
	}

}
