package dev.pgext.loader.fetch;

import java.time.Duration;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

/**
 * A token bucket over bytes, shared by every background download so that prefetching
 * after start leaves the node's bandwidth to the running database. Built on a
 * Resilience4j rate limiter counting kibibytes, refilled ten times a second.
 */
public final class BandwidthLimiter {

	private static final int UNIT = 1024;

	private static final Duration PERIOD = Duration.ofMillis(100);

	private final RateLimiter limiter;

	private final int permitsPerPeriod;

	private BandwidthLimiter(RateLimiter limiter, int permitsPerPeriod) {
		this.limiter = limiter;
		this.permitsPerPeriod = permitsPerPeriod;
	}

	/** A limiter for {@code bytesPerSecond}, or none when it is not positive. */
	public static BandwidthLimiter of(long bytesPerSecond) {
		if (bytesPerSecond <= 0) {
			return null;
		}
		int permits = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytesPerSecond / UNIT / 10));
		RateLimiter limiter = RateLimiter.of("background-bandwidth",
				RateLimiterConfig.custom()
					.limitRefreshPeriod(PERIOD)
					.limitForPeriod(permits)
					.timeoutDuration(Duration.ofMinutes(10))
					.build());
		return new BandwidthLimiter(limiter, permits);
	}

	/** The largest read that one call to {@link #acquire(int)} should cover. */
	public int maxChunk() {
		return (int) Math.min(64L * 1024, (long) this.permitsPerPeriod * UNIT);
	}

	/** Blocks until {@code bytes} may be transferred. */
	public void acquire(int bytes) {
		int permits = Math.max(1, (bytes + UNIT - 1) / UNIT);
		while (permits > 0) {
			int now = Math.min(permits, this.permitsPerPeriod);
			if (!this.limiter.acquirePermission(now)) {
				throw new FetchException(FetchException.Reason.LOCAL_IO, "bandwidth limiter timed out");
			}
			permits -= now;
		}
	}

}
