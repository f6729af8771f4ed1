package dev.pgext.importer.run;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Input bytes held in memory at once, across every job of this instance. A job reserves
 * its share before a ranged GET and closes the reservation once the pages are in the
 * layer file, so memory use is bounded whatever the number of imports and jobs.
 */
final class MemoryBudget {

	private final Semaphore kibibytes;

	MemoryBudget(long bytes) {
		this.kibibytes = new Semaphore((int) (bytes / 1024), true);
	}

	/** Waits until {@code bytes} are free and reserves them. */
	Reservation reserve(int bytes) throws InterruptedException {
		this.kibibytes.acquire(permits(bytes));
		return new Reservation(bytes);
	}

	/** Reserves {@code bytes} only when they are free now. */
	Optional<Reservation> tryReserve(int bytes) {
		return this.kibibytes.tryAcquire(permits(bytes)) ? Optional.of(new Reservation(bytes)) : Optional.empty();
	}

	private static int permits(int bytes) {
		return Math.max(1, (bytes + 1023) / 1024);
	}

	/**
	 * A share of the budget; closing it (once, whatever the number of calls) gives it
	 * back.
	 */
	final class Reservation implements AutoCloseable {

		private final int bytes;

		private final AtomicBoolean open = new AtomicBoolean(true);

		private Reservation(int bytes) {
			this.bytes = bytes;
		}

		int bytes() {
			return this.bytes;
		}

		@Override
		public void close() {
			if (this.open.compareAndSet(true, false)) {
				MemoryBudget.this.kibibytes.release(permits(this.bytes));
			}
		}

	}

}
