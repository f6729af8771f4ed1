package dev.pgext.importer;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The largest used heap a benchmark saw while it measured: sampled on a thread of its own
 * every few milliseconds between {@link #start} and {@link #stop}.
 */
final class HeapPeak {

	private final AtomicLong peak = new AtomicLong();

	private final Thread sampler;

	private volatile boolean sampling = true;

	private HeapPeak(long everyMillis) {
		this.sampler = new Thread(() -> {
			while (this.sampling) {
				this.peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
						Math::max);
				try {
					Thread.sleep(everyMillis);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}, "heap-peak");
		this.sampler.setDaemon(true);
	}

	/** Starts sampling every {@code everyMillis} milliseconds. */
	static HeapPeak start(long everyMillis) {
		HeapPeak heap = new HeapPeak(everyMillis);
		heap.sampler.start();
		return heap;
	}

	/** Stops sampling; the largest used heap seen, in bytes. */
	long stop() throws InterruptedException {
		this.sampling = false;
		this.sampler.join();
		return this.peak.get();
	}

}
