package dev.pgext.loader.compute;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.ApplicationEventPublisher;

import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.fetch.BandwidthLimiter;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * Placers, download schedulers and computes wired as the application wires them, outside
 * a Spring context, with a short retry backoff so that a test never waits on a production
 * delay.
 */
final class TestComputes {

	/** Between attempts of one download. */
	static final Duration RETRY_BACKOFF = Duration.ofMillis(20);

	private TestComputes() {
	}

	/**
	 * A placer without node cache or bandwidth limit that tries each download
	 * {@code attempts} times.
	 */
	static FilePlacer placer(ExtensionSource source, int attempts, MeterRegistry meters) {
		return placer(source, null, null, attempts, meters);
	}

	static FilePlacer placer(ExtensionSource source, Path cache, BandwidthLimiter limiter, int attempts,
			MeterRegistry meters) {
		return new FilePlacer(source, cache, limiter, FilePlacer.retry(attempts, RETRY_BACKOFF), meters);
	}

	/**
	 * A scheduler with {@code workers} workers over {@code entries}, placing into
	 * {@code install}.
	 */
	static DownloadScheduler scheduler(PostgresInstall install, FilePlacer placer, List<ExtIndexEntry> entries,
			int workers, MeterRegistry meters) {
		return new DownloadScheduler(install, placer, entries, workers, meters);
	}

	/** A compute that publishes its availability changes to {@code events}. */
	static Compute compute(LoaderProperties properties, ExtensionSource source, FilePlacer placer, MeterRegistry meters,
			ApplicationEventPublisher events) {
		return new Compute(properties, source, placer, meters, events);
	}

	/** A compute whose availability changes go nowhere. */
	static Compute compute(LoaderProperties properties, ExtensionSource source, FilePlacer placer,
			MeterRegistry meters) {
		return compute(properties, source, placer, meters, (event) -> {
		});
	}

}
