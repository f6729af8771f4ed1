package dev.pgext.model.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timer threads an S3 client schedules its call timeouts on, which the SDK leaves to
 * whoever gave them to stop. {@link #close()} returns once every thread the pool made has
 * ended, not only once the pool's tasks have ({@code awaitTermination} can return while a
 * worker thread is still on its way out).
 */
final class TimerThreads implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(TimerThreads.class);

	private static final Duration STOP_WAIT = Duration.ofSeconds(5);

	private final List<Thread> made = new CopyOnWriteArrayList<>();

	private final ScheduledExecutorService executor;

	TimerThreads(int threads, ThreadFactory factory) {
		this.executor = Executors.newScheduledThreadPool(threads, (task) -> {
			Thread thread = factory.newThread(task);
			thread.setDaemon(true);
			this.made.add(thread);
			return thread;
		});
	}

	ScheduledExecutorService executor() {
		return this.executor;
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
		long deadline = System.nanoTime() + STOP_WAIT.toNanos();
		try {
			for (Thread thread : this.made) {
				long left = deadline - System.nanoTime();
				if (left > 0) {
					TimeUnit.NANOSECONDS.timedJoin(thread, left);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		long alive = this.made.stream().filter(Thread::isAlive).count();
		if (alive > 0) {
			log.warn("{} of the S3 client's timer threads did not stop within {} s", alive, STOP_WAIT.toSeconds());
		}
	}

}
