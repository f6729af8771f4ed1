package dev.pgext.registry.projection;

import java.time.Duration;

import org.springframework.stereotype.Component;

import dev.pgext.registry.jobs.BackgroundStep;
import dev.pgext.registry.jobs.JobQueue;

/**
 * Enqueues a full reconcile once per {@link ProjectionProperties#fullReconcileInterval()}
 * across all instances: the job table decides (a run pending, running or finished within
 * the interval means nothing to do), and the claimed job's lease makes exactly one
 * instance run it. It heals what no job asked for: a job lost with its database row, a
 * file changed by hand.
 */
@Component
class PeriodicReconcile implements BackgroundStep {

	private final JobQueue jobs;

	private final Duration interval;

	private final long checkEveryNanos;

	private long nextCheck = System.nanoTime();

	PeriodicReconcile(JobQueue jobs, ProjectionProperties properties) {
		this.jobs = jobs;
		this.interval = properties.fullReconcileInterval();
		// look a few times per interval, but not more than every few seconds
		this.checkEveryNanos = Math.max(this.interval.dividedBy(10).toNanos(), Duration.ofSeconds(5).toNanos());
	}

	@Override
	public String name() {
		return "projection-schedule";
	}

	@Override
	public boolean runOnce() {
		if (this.interval.isZero() || this.interval.isNegative() || System.nanoTime() - this.nextCheck < 0) {
			return false;
		}
		this.nextCheck = System.nanoTime() + this.checkEveryNanos;
		this.jobs.enqueueUnlessRecent(Projections.RECONCILE_ALL, this.interval, "scheduler");
		return false;
	}

}
