package dev.pgext.registry.jobs;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * One thread per instance that offers every {@link BackgroundStep} a turn, and pauses for
 * the poll interval when none had work. It starts after the context is ready and does
 * nothing at start itself, so a registry with no background work starts as fast as before;
 * a database outage is logged once, not on every poll.
 */
@Component
class BackgroundLoop implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(BackgroundLoop.class);

	private final List<BackgroundStep> steps;

	private final JobProperties properties;

	private volatile Thread thread;

	private volatile boolean running;

	BackgroundLoop(List<BackgroundStep> steps, JobProperties properties) {
		this.steps = steps;
		this.properties = properties;
	}

	@Override
	public void start() {
		this.running = true;
		if (!this.properties.enabled()) {
			return;
		}
		Thread loop = new Thread(this::loop, "pgext-background");
		loop.setDaemon(true);
		this.thread = loop;
		loop.start();
	}

	private void loop() {
		boolean failing = false;
		while (this.running) {
			boolean worked = false;
			for (BackgroundStep step : this.steps) {
				if (!this.running) {
					return;
				}
				try {
					worked |= step.runOnce();
					failing = false;
				}
				catch (RuntimeException ex) {
					if (!failing) {
						log.warn("Background work paused: {}", ex.toString());
					}
					failing = true;
				}
			}
			if (!worked) {
				try {
					Thread.sleep(this.properties.pollInterval().toMillis());
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}
	}

	@Override
	public void stop() {
		this.running = false;
		Thread current = this.thread;
		if (current != null) {
			current.interrupt();
			try {
				current.join(10_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
