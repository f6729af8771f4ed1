package dev.pgext.loader.compute;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.compute.DownloadScheduler.ExtensionStatus;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.loader.postgres.PostgresSupervisor;
import dev.pgext.model.index.ExtIndexEntry;

/**
 * The one compute this loader serves: takes its spec, runs its start-up
 * ({@link ComputeStartup}) in the background, serves JIT requests ({@link JitPlacement}),
 * reports its status and stops it. Its phase lives in {@link ComputeState}, the one place
 * that changes it.
 */
@Component
public class Compute implements DisposableBean {

	/** Where the compute stands as a whole. */
	public enum Phase {

		/** No spec received yet. */
		WAITING_FOR_SPEC,

		/** Fetching, placing and starting. */
		STARTING,

		/** Postgres accepts connections. */
		RUNNING,

		/** Start-up failed or Postgres crashed. */
		FAILED,

		/** The loader stopped Postgres. */
		STOPPED

	}

	private final LoaderProperties properties;

	private final ExtensionSource source;

	private final FilePlacer placer;

	private final MeterRegistry meters;

	private final ComputeState state;

	private final ComputeParts parts = new ComputeParts();

	private final JitPlacement jit;

	private volatile ComputeStartup startup;

	private volatile Thread starter;

	public Compute(LoaderProperties properties, ExtensionSource source, FilePlacer placer, MeterRegistry meters,
			ApplicationEventPublisher events) {
		this.properties = properties;
		this.source = source;
		this.placer = placer;
		this.meters = meters;
		this.state = new ComputeState(events, this);
		this.jit = new JitPlacement(this.parts, properties.jitTimeout(), meters);
	}

	/**
	 * Starts the compute in the background.
	 * @throws ComputeAlreadyStartedException when a compute was already started
	 */
	public void start(ComputeSpec spec) {
		this.state.starting();
		ComputeStartup run = new ComputeStartup(spec, this.properties, this.source, this.placer, this.meters,
				this.state, this.parts);
		this.startup = run;
		Thread thread = new Thread(run, "pgext-compute-start");
		this.starter = thread;
		thread.start();
	}

	/**
	 * Starts the compute and waits until Postgres accepts connections (and the background
	 * work is queued) or start-up fails.
	 */
	public void startAndWait(ComputeSpec spec) throws InterruptedException {
		start(spec);
		this.starter.join();
	}

	/**
	 * Places the extension that owns {@code filename} and everything it requires, ahead
	 * of any other download, and waits until all of its files are in place.
	 * @return empty when no extension available to this compute owns the file
	 * @throws FetchException when a download fails, with the reason
	 * @throws TimeoutException when the files are not in place within the JIT timeout
	 */
	public Optional<ExtIndexEntry> placeNow(String filename, boolean isLibrary)
			throws InterruptedException, TimeoutException {
		return this.jit.placeNow(filename, isLibrary);
	}

	/** Whether Postgres accepts connections. */
	public boolean isRunning() {
		return this.state.phase() == Phase.RUNNING;
	}

	public Phase phase() {
		return this.state.phase();
	}

	/** The port of the compute's Postgres, or -1 before a spec arrived. */
	public int port() {
		ComputeStartup run = this.startup;
		return (run != null) ? run.port() : -1;
	}

	/** What {@code GET /status} answers. */
	public ComputeStatus status() {
		ComputeState.Snapshot snapshot = this.state.get();
		DownloadScheduler scheduler = this.parts.scheduler();
		PostgresSupervisor postgres = this.parts.postgres();
		ComputeStartup run = this.startup;
		List<ExtensionStatus> extensions = (scheduler != null) ? scheduler.status() : List.of();
		Long pid = (postgres != null && postgres.pid() > 0) ? postgres.pid() : null;
		CatalogRefresh catalogs = (run != null) ? run.catalogs() : null;
		CatalogRefresh.PreloadFrom from = (catalogs != null) ? catalogs.preloadFrom() : null;
		return new ComputeStatus(snapshot.phase(), snapshot.problem(),
				(postgres != null && postgres.state() != PostgresSupervisor.State.NOT_STARTED) ? postgres.state()
						: null,
				pid, (run != null) ? run.phaseMillis() : Map.of(), extensions,
				(from != null) ? from.name().toLowerCase(Locale.ROOT) : null,
				(catalogs != null) ? catalogs.preloadMismatch() : null);
	}

	/**
	 * Stops Postgres, then the downloads, and waits for a start-up still running to end.
	 */
	@Override
	public void destroy() {
		this.state.stopped();
		this.parts.close();
		Thread thread = this.starter;
		if (thread != null) {
			try {
				thread.join(TimeUnit.SECONDS.toMillis(30));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * The compute as {@code GET /status} shows it.
	 *
	 * @param phase where the compute stands
	 * @param problem why it failed, or {@code null}
	 * @param postgres the server's state, or {@code null} before it was launched
	 * @param pid the server's process id, or {@code null}
	 * @param phaseMillis duration of each start-up phase in milliseconds
	 * @param extensions every available extension's state
	 * @param preloadFrom where the entries placed before launch were read:
	 * {@code documents} (the per-library preload documents), {@code index} (the whole
	 * indexes) or {@code none} (nothing preloaded); {@code null} before the start read
	 * any
	 * @param preloadMismatch how the index read after a start from preload documents
	 * differs from what they named, or {@code null}
	 */
	public record ComputeStatus(Phase phase, String problem, PostgresSupervisor.State postgres, Long pid,
			@JsonProperty("phase_millis") Map<String, Long> phaseMillis, List<ExtensionStatus> extensions,
			@JsonProperty("preload_from") String preloadFrom,
			@JsonProperty("preload_mismatch") String preloadMismatch) {

	}

}
