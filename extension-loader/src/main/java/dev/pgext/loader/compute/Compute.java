package dev.pgext.loader.compute;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.compute.DownloadScheduler.ExtensionStatus;
import dev.pgext.loader.compute.DownloadScheduler.Priority;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.loader.postgres.PostgresSupervisor;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.postgres.PostgresInstall;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The one compute this loader serves. Start-up runs in phases, each timed: read the index,
 * write every available control file while the server-preload extensions (and what they
 * require) download, initdb if needed, start Postgres while the session-preload extensions
 * download (no session can connect without them). Only then is the loader ready; the
 * extensions installed in any database and, with prefetch on, all the rest follow in the
 * background under the bandwidth limit, while JIT requests jump the queue.
 */
@Component
public class Compute implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(Compute.class);

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

	private final ApplicationEventPublisher events;

	private final Map<String, Long> phaseMillis = java.util.Collections.synchronizedMap(new LinkedHashMap<>());

	private volatile Phase phase = Phase.WAITING_FOR_SPEC;

	private volatile String problem;

	private volatile ComputeSpec spec;

	private volatile ExtensionCatalog catalog;

	private long lastIndexRead = System.nanoTime();

	private volatile DownloadScheduler scheduler;

	private volatile PostgresSupervisor postgres;

	private Thread starter;

	public Compute(LoaderProperties properties, ExtensionSource source, FilePlacer placer, MeterRegistry meters,
			ApplicationEventPublisher events) {
		this.properties = properties;
		this.source = source;
		this.placer = placer;
		this.meters = meters;
		this.events = events;
	}

	/**
	 * Starts the compute in the background.
	 * @throws IllegalStateException when a compute was already started
	 */
	public synchronized void start(ComputeSpec spec) {
		if (this.spec != null) {
			throw new ComputeAlreadyStartedException(this.phase);
		}
		this.spec = spec;
		this.phase = Phase.STARTING;
		this.starter = new Thread(() -> run(spec), "pgext-compute-start");
		this.starter.start();
	}

	/**
	 * Starts the compute and waits until Postgres accepts connections (and the background work
	 * is queued) or start-up fails.
	 */
	public void startAndWait(ComputeSpec spec) throws InterruptedException {
		start(spec);
		Thread thread;
		synchronized (this) {
			thread = this.starter;
		}
		thread.join();
	}

	private void run(ComputeSpec spec) {
		long started = System.nanoTime();
		try {
			PostgresInstall install = new PostgresInstall(Path.of(spec.installDir()));
			int leftovers = FilePlacer.removeLeftovers(install.extensionDir())
					+ FilePlacer.removeLeftovers(install.pkglibdir());
			if (leftovers > 0) {
				log.info("Removed {} partial files a previous loader left behind", leftovers);
			}
			ExtensionCatalog catalog = timed("index", () -> ExtensionCatalog
				.of(this.source.index(spec.major(), spec.tenantId()), spec.availableExtensions()));
			this.lastIndexRead = System.nanoTime();
			this.catalog = catalog;
			this.scheduler = new DownloadScheduler(install, this.placer, catalog.extensions(),
					this.properties.workers(), this.meters);
			List<ExtIndexEntry> preload = catalog.forLibraries(spec.sharedPreloadLibraries());
			CompletableFuture<Void> preloaded = this.scheduler.requestAll(preload, Priority.SERVER_PRELOAD);
			// every new session loads these, so no connection succeeds before they are in place; they
			// download behind the server-preload ones while Postgres starts
			List<ExtIndexEntry> sessionPreload = catalog.forLibraries(spec.sessionPreloadLibraries());
			CompletableFuture<Void> sessionPreloaded = this.scheduler.requestAll(sessionPreload,
					Priority.SESSION_PRELOAD);
			timed("control-files", () -> {
				writeControlFiles(install, catalog);
				return null;
			});
			timed("preload", () -> {
				preloaded.get();
				return null;
			});
			this.postgres = new PostgresSupervisor(install, Path.of(spec.dataDir()), spec.port(),
					this::postgresChanged);
			timed("initdb", () -> this.postgres.initdbIfEmpty());
			Map<String, String> settings = withHook(install, spec.postgresSettings());
			timed("postgres", () -> {
				this.postgres.launch(settings);
				sessionPreloaded.get();
				this.postgres.awaitConnections(this.properties.postgresStartTimeout());
				return null;
			});
			this.phaseMillis.put("total", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
			log.info("Compute started in {} ms ({} extensions available, {} placed before start)",
					this.phaseMillis.get("total"), catalog.extensions().size(), preload.size());
			synchronized (this) {
				// a crash right after the first connection has already set the phase to FAILED
				if (this.phase == Phase.STARTING) {
					this.phase = Phase.RUNNING;
				}
			}
			if (this.phase == Phase.RUNNING) {
				AvailabilityChangeEvent.publish(this.events, this, ReadinessState.ACCEPTING_TRAFFIC);
				background(catalog);
			}
		}
		catch (Exception ex) {
			Throwable cause = (ex instanceof ExecutionException) ? ex.getCause() : ex;
			this.problem = "start-up failed: " + cause.getMessage();
			this.phase = Phase.FAILED;
			log.error("Compute start-up failed", cause);
			// a server that never accepted connections in time must not linger behind a failed start
			PostgresSupervisor launched = this.postgres;
			if (launched != null) {
				launched.close();
			}
		}
	}

	/**
	 * Places the {@code pgext_loader} hook library, when one is configured, and adds it to the
	 * settings: first in {@code shared_preload_libraries}, pointed at this loader.
	 */
	private Map<String, String> withHook(PostgresInstall install, Map<String, String> settings) throws IOException {
		LoaderProperties.Hook hook = this.properties.hook();
		if (!hook.enabled()) {
			return settings;
		}
		Path library = install.pkglibdir().resolve(LoaderProperties.Hook.LIBRARY_NAME + ".so");
		FilePlacer.writeAtomically(library, Files.readAllBytes(hook.library()), true);
		Map<String, String> withHook = new LinkedHashMap<>(settings);
		String preload = settings.get("shared_preload_libraries");
		withHook.put("shared_preload_libraries", (preload == null || preload.isBlank())
				? LoaderProperties.Hook.LIBRARY_NAME : LoaderProperties.Hook.LIBRARY_NAME + "," + preload);
		if (hook.server() != null && !hook.server().isBlank()) {
			withHook.put("pgext_loader.server", hook.server());
		}
		log.info("Postgres starts with the pgext_loader hook, asking {} for missing files", hook.server());
		return withHook;
	}

	/**
	 * The catalog after re-reading the indexes, at most once per {@code index-refresh-interval}:
	 * an extension published after the compute started is then found, and its control file
	 * written. Extensions already known keep the release they had.
	 */
	private synchronized ExtensionCatalog refreshedCatalog() {
		long now = System.nanoTime();
		if (now - this.lastIndexRead < this.properties.indexRefreshInterval().toNanos()) {
			return this.catalog;
		}
		this.lastIndexRead = now;
		ComputeSpec spec = this.spec;
		ExtensionCatalog current = this.catalog;
		try {
			ExtensionCatalog fresh = ExtensionCatalog.of(this.source.index(spec.major(), spec.tenantId()),
					spec.availableExtensions());
			List<ExtIndexEntry> added = fresh.extensions()
				.stream()
				.filter((entry) -> current.index().find(entry.name().value()).isEmpty())
				.toList();
			if (added.isEmpty()) {
				return current;
			}
			List<ExtIndexEntry> merged = new ArrayList<>(current.extensions());
			merged.addAll(added);
			ExtensionCatalog catalog = new ExtensionCatalog(
					ExtIndex.of(current.index().pgMajor(), current.index().tenant(), merged));
			writeControlFiles(new PostgresInstall(Path.of(spec.installDir())), new ExtensionCatalog(
					ExtIndex.of(current.index().pgMajor(), current.index().tenant(), added)));
			log.info("Indexes re-read: {} extension(s) published since start: {}", added.size(),
					added.stream().map((entry) -> entry.name().value()).toList());
			this.catalog = catalog;
			return catalog;
		}
		catch (IOException | RuntimeException ex) {
			log.warn("Re-reading the indexes failed, keeping the ones read at start: {}", ex.getMessage());
			return current;
		}
	}

	private void writeControlFiles(PostgresInstall install, ExtensionCatalog catalog) throws IOException {
		for (ExtIndexEntry entry : catalog.extensions()) {
			if (entry.control() == null) {
				continue;
			}
			String name = entry.name().value() + ".control";
			String path = entry.files()
				.stream()
				.map(ExtFile::path)
				.filter((p) -> p.endsWith("/" + name))
				.findFirst()
				.orElse("share/extension/" + name);
			FilePlacer.writeAtomically(install.resolve(path), entry.control().getBytes(StandardCharsets.UTF_8), false);
		}
	}

	private void background(ExtensionCatalog catalog) {
		try {
			List<ExtIndexEntry> installed = new ArrayList<>();
			for (String name : installedExtensions()) {
				catalog.index().find(name).ifPresent((entry) -> installed.addAll(catalog.closure(entry)));
			}
			this.scheduler.requestAll(installed, Priority.INSTALLED);
		}
		catch (SQLException ex) {
			log.warn("Could not list installed extensions: {}", ex.getMessage());
		}
		if (this.properties.prefetch()) {
			this.scheduler.requestAll(catalog.extensions(), Priority.BACKGROUND);
		}
	}

	/** {@code pg_extension} of every database that accepts connections. */
	private Set<String> installedExtensions() throws SQLException {
		List<String> databases = new ArrayList<>();
		try (Connection connection = this.postgres.connect("postgres");
				Statement statement = connection.createStatement();
				ResultSet rows = statement
					.executeQuery("SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname")) {
			while (rows.next()) {
				databases.add(rows.getString(1));
			}
		}
		Set<String> names = new LinkedHashSet<>();
		for (String database : databases) {
			try (Connection connection = this.postgres.connect(database);
					Statement statement = connection.createStatement();
					ResultSet rows = statement.executeQuery("SELECT extname FROM pg_extension")) {
				while (rows.next()) {
					names.add(rows.getString(1));
				}
			}
		}
		return names;
	}

	/**
	 * Places the extension that owns {@code filename} and everything it requires, ahead of any
	 * other download, and waits until all of its files are in place.
	 * @return empty when no extension available to this compute owns the file
	 * @throws FetchException when a download fails, with the reason
	 * @throws TimeoutException when the files are not in place within the JIT timeout
	 */
	public Optional<ExtIndexEntry> placeNow(String filename, boolean isLibrary)
			throws InterruptedException, TimeoutException {
		ExtensionCatalog catalog = this.catalog;
		DownloadScheduler scheduler = this.scheduler;
		if (catalog == null || scheduler == null) {
			throw new ComputeNotStartedException();
		}
		Optional<ExtIndexEntry> owner = catalog.owner(filename, isLibrary);
		if (owner.isEmpty()) {
			catalog = refreshedCatalog();
			owner = catalog.owner(filename, isLibrary);
			if (owner.isEmpty()) {
				return owner;
			}
		}
		Timer.Sample sample = Timer.start(this.meters);
		try {
			scheduler.requestAll(catalog.closure(owner.get()), Priority.JIT)
				.get(this.properties.jitTimeout().toMillis(), TimeUnit.MILLISECONDS);
			return owner;
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof FetchException fetch) {
				throw fetch;
			}
			throw new FetchException(FetchException.Reason.LOCAL_IO, String.valueOf(ex.getCause().getMessage()),
					ex.getCause());
		}
		finally {
			sample.stop(Timer.builder("pgext.loader.jit.wait")
				.description("How long JIT requests wait for their extension's files")
				.publishPercentileHistogram()
				.register(this.meters));
		}
	}

	private void postgresChanged(PostgresSupervisor.State state) {
		if (state == PostgresSupervisor.State.CRASHED) {
			synchronized (this) {
				this.phase = Phase.FAILED;
				this.problem = this.postgres.problem();
			}
			AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		}
		else if (state == PostgresSupervisor.State.STOPPED && this.phase != Phase.FAILED) {
			this.phase = Phase.STOPPED;
		}
	}

	private <T> T timed(String name, Step<T> step) throws Exception {
		long start = System.nanoTime();
		try {
			return step.run();
		}
		finally {
			long nanos = System.nanoTime() - start;
			this.phaseMillis.put(name, TimeUnit.NANOSECONDS.toMillis(nanos));
			Timer.builder("pgext.loader.start.phase")
				.description("Time of each compute start-up phase")
				.tag("phase", name)
				.register(this.meters)
				.record(Duration.ofNanos(nanos));
		}
	}

	@FunctionalInterface
	private interface Step<T> {

		T run() throws Exception;

	}

	/** Whether Postgres accepts connections. */
	public boolean isRunning() {
		return this.phase == Phase.RUNNING;
	}

	public Phase phase() {
		return this.phase;
	}

	/** The port of the compute's Postgres, or -1 before a spec arrived. */
	public int port() {
		ComputeSpec current = this.spec;
		return (current != null) ? current.port() : -1;
	}

	/** What {@code GET /status} answers. */
	public ComputeStatus status() {
		DownloadScheduler scheduler = this.scheduler;
		PostgresSupervisor postgres = this.postgres;
		List<ExtensionStatus> extensions = (scheduler != null) ? scheduler.status() : List.of();
		return new ComputeStatus(this.phase, this.problem, (postgres != null) ? postgres.state() : null,
				(postgres != null) ? postgres.pid() : null, phases(), extensions);
	}

	private Map<String, Long> phases() {
		synchronized (this.phaseMillis) {
			return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(this.phaseMillis));
		}
	}

	/** Stops Postgres, then the downloads. */
	@Override
	public void destroy() {
		Thread thread;
		synchronized (this) {
			thread = this.starter;
		}
		PostgresSupervisor postgres = this.postgres;
		if (postgres != null) {
			postgres.close();
		}
		DownloadScheduler scheduler = this.scheduler;
		if (scheduler != null) {
			scheduler.close();
		}
		if (thread != null) {
			try {
				thread.join(TimeUnit.SECONDS.toMillis(30));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		// a start that was still running may have launched postgres after the first close
		postgres = this.postgres;
		if (postgres != null) {
			postgres.close();
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
	 */
	public record ComputeStatus(Phase phase, String problem, PostgresSupervisor.State postgres, Long pid,
			Map<String, Long> phaseMillis, List<ExtensionStatus> extensions) {

	}

}
