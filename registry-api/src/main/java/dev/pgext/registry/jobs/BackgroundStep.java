package dev.pgext.registry.jobs;

/**
 * One kind of background work the {@link BackgroundLoop} offers a turn: a job, a webhook
 * delivery.
 */
public interface BackgroundStep {

	/**
	 * Does at most one unit of due work; {@code true} when it did some, so the loop asks
	 * again at once instead of pausing.
	 */
	boolean runOnce();

}
