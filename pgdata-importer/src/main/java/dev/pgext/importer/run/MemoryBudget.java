package dev.pgext.importer.run;

import java.util.concurrent.Semaphore;

/**
 * Input bytes held in memory at once, across every job of this instance. A job takes its share
 * before a ranged GET and gives it back once the pages are in the layer file, so memory use is
 * bounded whatever the number of imports and jobs.
 */
final class MemoryBudget {

	private final Semaphore kibibytes;

	MemoryBudget(long bytes) {
		this.kibibytes = new Semaphore((int) (bytes / 1024), true);
	}

	void acquire(int bytes) throws InterruptedException {
		this.kibibytes.acquire(permits(bytes));
	}

	/** Takes a share only when it is free now. */
	boolean tryAcquire(int bytes) {
		return this.kibibytes.tryAcquire(permits(bytes));
	}

	void release(int bytes) {
		this.kibibytes.release(permits(bytes));
	}

	private static int permits(int bytes) {
		return Math.max(1, (bytes + 1023) / 1024);
	}

}
