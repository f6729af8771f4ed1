package dev.pgext.registry.jobs;

/**
 * One kind of background work that the {@link BackgroundLoop} runs on a thread of its
 * own: jobs, webhook deliveries.
 */
public interface BackgroundStep {

	/** A short name for the thread and the logs, such as {@code jobs}. */
	String name();

	/**
	 * Does at most one unit of due work; {@code true} when it did some, so the loop asks
	 * again at once instead of pausing.
	 */
	boolean runOnce();

}
