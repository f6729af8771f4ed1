package dev.pgext.registry.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * One thread per {@link BackgroundStep} (jobs, webhook deliveries), so that a slow
 * subscriber never holds up a mirror refresh and the other way round. Each thread asks
 * its step for work again at once after a unit of work and pauses for the poll interval
 * when there was none, or until a job this instance enqueued is committed. Threads start
 * after the context is ready and do nothing at start themselves, so a registry with no
 * background work starts as fast as before; a database outage is logged once per streak,
 * not on every poll.
 */
@Component
class BackgroundLoop implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(BackgroundLoop.class);

	private final List<BackgroundStep> steps;

	private final JobProperties properties;

	private final List<Thread> threads = new ArrayList<>();

	private volatile boolean running;

	private final Object wakeUp = new Object();

	private long wakeUps;

	BackgroundLoop(List<BackgroundStep> steps, JobProperties properties) {
		this.steps = steps;
		this.properties = properties;
	}

	@Override
	public synchronized void start() {
		this.running = true;
		if (!this.properties.enabled()) {
			return;
		}
		for (BackgroundStep step : this.steps) {
			Thread thread = new Thread(() -> loop(step), "pgext-background-" + step.name());
			thread.setDaemon(true);
			this.threads.add(thread);
			thread.start();
		}
	}

	private void loop(BackgroundStep step) {
		boolean failing = false;
		while (this.running) {
			boolean worked = false;
			try {
				worked = step.runOnce();
				if (failing) {
					log.info("Background work ({}) resumed", step.name());
				}
				failing = false;
			}
			catch (RuntimeException ex) {
				if (!this.running) {
					return;
				}
				if (!failing) {
					log.warn("Background work ({}) paused: {}", step.name(), ex.toString());
				}
				failing = true;
			}
			if (!worked) {
				try {
					pause();
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}
	}

	/**
	 * Wakes the threads that pause for want of work: a job enqueued by this instance has
	 * just been committed, so it runs now instead of after up to one poll interval. Other
	 * instances find it at their next poll.
	 */
	@TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
	void jobEnqueued(JobQueue.Enqueued event) {
		synchronized (this.wakeUp) {
			this.wakeUps++;
			this.wakeUp.notifyAll();
		}
	}

	private void pause() throws InterruptedException {
		long deadline = System.nanoTime() + this.properties.pollInterval().toNanos();
		synchronized (this.wakeUp) {
			long seen = this.wakeUps;
			long left;
			while (this.running && this.wakeUps == seen && (left = deadline - System.nanoTime()) > 0) {
				TimeUnit.NANOSECONDS.timedWait(this.wakeUp, left);
			}
		}
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		for (Thread thread : this.threads) {
			thread.interrupt();
		}
		for (Thread thread : this.threads) {
			try {
				thread.join(10_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
		this.threads.clear();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
