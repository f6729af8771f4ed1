package dev.pgext.registry.jobs;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Claims one due job and runs its handler, renewing the lease while the handler works.
 */
@Component
class JobRunner implements BackgroundStep, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

	private static final long PURGE_EVERY_NANOS = TimeUnit.HOURS.toNanos(1);

	private final JobQueue queue;

	private final Map<String, JobHandler> handlers;

	private final JobProperties properties;

	private final String owner;

	// the first purge waits an hour, so a start does no extra work
	private long lastPurge = System.nanoTime();

	private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "pgext-job-lease");
		thread.setDaemon(true);
		return thread;
	});

	JobRunner(JobQueue queue, List<JobHandler> handlers, JobProperties properties) {
		this.queue = queue;
		this.handlers = handlers.stream().collect(Collectors.toMap(JobHandler::kind, Function.identity()));
		this.properties = properties;
		// host name (no DNS lookup) and a random part, so two instances on one host never
		// share a lease
		this.owner = Objects.requireNonNullElse(System.getenv("HOSTNAME"), "registry") + "/"
				+ ProcessHandle.current().pid() + "/" + UUID.randomUUID();
	}

	@Override
	public String name() {
		return "jobs";
	}

	@Override
	public boolean runOnce() {
		Optional<Job> claimed = this.queue.claim(this.owner);
		if (claimed.isEmpty()) {
			purgeNowAndThen();
			return false;
		}
		Job job = claimed.get();
		JobHandler handler = this.handlers.get(job.kind());
		if (handler == null) {
			this.queue.fail(job.id(), this.owner, job.attempt(), "no handler for job kind " + job.kind());
			return true;
		}
		long period = Math.max(this.properties.lease().toMillis() / 3, 100);
		ScheduledFuture<?> heartbeat = this.heartbeats.scheduleAtFixedRate(() -> beat(job, null), period, period,
				TimeUnit.MILLISECONDS);
		try {
			Object result = handler.run(job, (percent) -> beat(job, Math.max(0, Math.min(100, percent))));
			heartbeat.cancel(false);
			this.queue.succeed(job.id(), this.owner, result);
		}
		catch (Exception ex) {
			heartbeat.cancel(false);
			if (Thread.currentThread().isInterrupted() || interruption(ex)) {
				// this instance is stopping: not the job's fault
				this.queue.release(job.id(), this.owner);
				return true;
			}
			log.warn("Job {} ({}) attempt {} failed: {}", job.id(), job.kind(), job.attempt(), ex.toString());
			this.queue.fail(job.id(), this.owner, job.attempt(), ex.toString());
		}
		return true;
	}

	private static boolean interruption(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof InterruptedException) {
				return true;
			}
		}
		return false;
	}

	private void purgeNowAndThen() {
		long now = System.nanoTime();
		if (now - this.lastPurge < PURGE_EVERY_NANOS) {
			return;
		}
		this.lastPurge = now;
		this.queue.purge(this.properties.retention());
	}

	private void beat(Job job, Integer percent) {
		try {
			this.queue.heartbeat(job.id(), this.owner, percent);
		}
		catch (RuntimeException ex) {
			// the lease runs out and another instance takes over; the outcome is fenced
			log.debug("Could not renew the lease of job {}", job.id(), ex);
		}
	}

	@Override
	public void destroy() {
		this.heartbeats.shutdownNow();
	}

}
