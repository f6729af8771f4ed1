package dev.pgext.importer.run;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points in the import where tests stop or pause it, to prove resumption and input
 * checks. Unarmed points cost a map lookup.
 */
public final class Failpoints {

	/** After {@code status/pgdata} said done, before the input is listed. */
	public static final String AFTER_UPLOAD = "after-upload";

	/** After the manifest is frozen, before the plan is made. */
	public static final String AFTER_LISTING = "after-listing";

	/** After the manifest is frozen and the plan recorded, before any job runs. */
	public static final String AFTER_PLAN = "after-plan";

	/** After a job's layer is uploaded and checkpointed. */
	public static final String AFTER_JOB = "after-job";

	private final Map<String, Action> armed = new ConcurrentHashMap<>();

	/** Pauses the import at {@code name} until {@link Pause#release()}. */
	public Pause pause(String name) {
		Pause pause = new Pause();
		this.armed.put(name, pause);
		return pause;
	}

	/**
	 * Stops the import at the {@code hits}-th pass through {@code name} as if the process
	 * died: nothing more is written, the lease is left to run out.
	 */
	public void crashAt(String name, int hits) {
		this.armed.put(name, new Crash(new AtomicInteger(hits)));
	}

	public void disarm(String name) {
		this.armed.remove(name);
	}

	void hit(String name) throws InterruptedException {
		Action action = this.armed.get(name);
		if (action instanceof Pause pause) {
			pause.reached.countDown();
			pause.released.await();
		}
		else if (action instanceof Crash crash && crash.remaining.decrementAndGet() == 0) {
			this.armed.remove(name);
			throw new SimulatedCrash(name);
		}
	}

	private sealed interface Action permits Pause, Crash {

	}

	/**
	 * An armed pause.
	 */
	public static final class Pause implements Action {

		private final CountDownLatch reached = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		/** Waits until an import is paused here; false when none got here in time. */
		public boolean awaitReached(Duration timeout) throws InterruptedException {
			return this.reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

		public void release() {
			this.released.countDown();
		}

	}

	private record Crash(AtomicInteger remaining) implements Action {

	}

	/**
	 * Thrown at an armed crash point; the import stops as if the process had died.
	 */
	static final class SimulatedCrash extends RuntimeException {

		SimulatedCrash(String name) {
			super("simulated crash at failpoint " + name);
		}

	}

}
