package dev.pgext.importer.run;

import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Input bytes held in memory at once, across every job of this instance. A job reserves
 * its share before a ranged GET and closes the reservation once the pages are in the
 * layer file, so memory use is bounded whatever the number of imports and jobs.
 * <p>
 * A reservation of a whole range ({@code rangeBytes}) also lends the array the range is
 * read into, taken back when it is closed and lent again to the next one: full ranges are
 * most of the bytes an import reads, and arrays of that size are "humongous" objects for
 * the G1 collector, whose allocation at the rate of the reads started a concurrent
 * collection cycle every few seconds. The arrays kept for reuse never hold more than the
 * budget, since each one is in use by a reservation or was returned by one.
 */
final class MemoryBudget {

	private final Semaphore kibibytes;

	private final int rangeBytes;

	private final Queue<byte[]> ranges = new ConcurrentLinkedQueue<>();

	MemoryBudget(long bytes, int rangeBytes) {
		this.kibibytes = new Semaphore((int) (bytes / 1024), true);
		this.rangeBytes = rangeBytes;
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

		private volatile byte[] buffer;

		private Reservation(int bytes) {
			this.bytes = bytes;
		}

		int bytes() {
			return this.bytes;
		}

		/**
		 * An array to read the reserved bytes into: a reused one when they are a whole
		 * range, else null (the reader allocates one of the exact size). Valid until the
		 * reservation is closed.
		 */
		byte[] buffer() {
			if (this.bytes != MemoryBudget.this.rangeBytes || !this.open.get()) {
				return null;
			}
			if (this.buffer == null) {
				byte[] reused = MemoryBudget.this.ranges.poll();
				this.buffer = (reused != null) ? reused : new byte[this.bytes];
			}
			return this.buffer;
		}

		/**
		 * Drops the lent array instead of returning it on {@link #close()} (a read that
		 * may still write into it).
		 */
		void forgetBuffer() {
			this.buffer = null;
		}

		@Override
		public void close() {
			if (this.open.compareAndSet(true, false)) {
				byte[] lent = this.buffer;
				if (lent != null) {
					this.buffer = null;
					MemoryBudget.this.ranges.offer(lent);
				}
				MemoryBudget.this.kibibytes.release(permits(this.bytes));
			}
		}

	}

}
