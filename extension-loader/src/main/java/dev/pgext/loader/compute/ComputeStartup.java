package dev.pgext.loader.compute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.compute.DownloadScheduler.Priority;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.loader.postgres.PostgresSupervisor;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * Start-up of one compute, in phases, each timed: stop a postmaster a killed loader left
 * on the data directory, read and verify the index (with the hook, binding only the
 * preload closure's entries), write the control files Postgres needs before start while
 * the server-preload extensions (and what they require) download, initdb if needed, start
 * Postgres while the session-preload extensions download (no session can connect without
 * them). Only then is the compute {@code RUNNING}; the rest of the index is bound,
 * partial files a killed loader left are removed, the other control files written, and
 * the extensions installed in any database and, with prefetch on, all the rest follow in
 * the background. Nothing before the launch grows with the catalog but the transfer, hash
 * and tokenizing of the index's bytes.
 */
final class ComputeStartup implements Runnable {

	private static final Logger log = LoggerFactory.getLogger(ComputeStartup.class);

	private final ComputeSpec spec;

	private final LoaderProperties properties;

	private final ExtensionSource source;

	private final FilePlacer placer;

	private final MeterRegistry meters;

	private final ComputeState state;

	private final ComputeParts parts;

	private volatile CatalogRefresh catalogs;

	private final Map<String, Long> phaseMillis = Collections.synchronizedMap(new LinkedHashMap<>());

	ComputeStartup(ComputeSpec spec, LoaderProperties properties, ExtensionSource source, FilePlacer placer,
			MeterRegistry meters, ComputeState state, ComputeParts parts) {
		this.spec = spec;
		this.properties = properties;
		this.source = source;
		this.placer = placer;
		this.meters = meters;
		this.state = state;
		this.parts = parts;
	}

	int port() {
		return this.spec.port();
	}

	/** Duration of each phase so far, in milliseconds. */
	Map<String, Long> phaseMillis() {
		synchronized (this.phaseMillis) {
			return Collections.unmodifiableMap(new LinkedHashMap<>(this.phaseMillis));
		}
	}

	@Override
	public void run() {
		long started = System.nanoTime();
		try {
			PostgresInstall install = new PostgresInstall(Path.of(this.spec.installDir()));
			PostgresSupervisor postgres = this.parts
				.attach(new PostgresSupervisor(install, Path.of(this.spec.dataDir()), this.spec.port(),
						this.properties.postgresStopTimeout(), this::postgresChanged));
			postgres.stopLeftover();
			CatalogRefresh catalogs = new CatalogRefresh(this.source, this.spec, install,
					this.properties.indexRefreshInterval());
			this.parts.attach(catalogs);
			this.catalogs = catalogs;
			boolean hooked = this.properties.hook().enabled();
			// with the hook, CREATE EXTENSION asks for a missing control file, so only
			// the preloaded extensions' entries and control files are needed before
			// start, and the rest of the index is bound after it; without it nothing
			// would ever fetch a control file, so every one is written first
			ExtensionCatalog catalog = timed("index", hooked ? catalogs::readPreload : catalogs::read);
			DownloadScheduler scheduler = this.parts.attach(new DownloadScheduler(install, this.placer,
					catalog.extensions(), this.properties.workers(), this.meters));
			List<ExtIndexEntry> preload = catalog.forLibraries(this.spec.sharedPreloadLibraries());
			CompletableFuture<Void> preloaded = scheduler.requestAll(preload, Priority.SERVER_PRELOAD);
			// every new session loads these, so no connection succeeds before they are in
			// place; they download behind the server-preload ones while Postgres starts
			List<ExtIndexEntry> sessionPreload = catalog.forLibraries(this.spec.sessionPreloadLibraries());
			CompletableFuture<Void> sessionPreloaded = scheduler.requestAll(sessionPreload, Priority.SESSION_PRELOAD);
			List<ExtIndexEntry> beforeStart = hooked ? union(preload, sessionPreload) : catalog.extensions();
			timed("control-files", () -> {
				ControlFiles.write(install, beforeStart);
				return null;
			});
			timed("preload", () -> preloaded.get());
			timed("initdb", postgres::initdbIfEmpty);
			Map<String, String> settings = new HookLibrary(this.properties.hook()).place(install,
					this.spec.postgresSettings());
			timed("postgres", () -> {
				postgres.launch(settings);
				sessionPreloaded.get();
				postgres.awaitConnections(this.properties.postgresStartTimeout());
				return null;
			});
			this.phaseMillis.put("total", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
			if (!this.state.running()) {
				log.warn("Postgres accepted connections, but the compute is {} already", this.state.phase());
				catalogs.abandon(new IllegalStateException("the compute is " + this.state.phase()));
				return;
			}
			log.info("Compute started in {} ms ({} placed before start)", this.phaseMillis.get("total"),
					preload.size());
			if (hooked) {
				try {
					catalog = timed("index-deferred", catalogs::completeRead);
					scheduler.available(catalog.extensions());
				}
				catch (FetchException ex) {
					// the compute runs on what it preloaded; JIT requests get this reason
					log.error("Only the preloaded extensions are available: {}", ex.getMessage());
				}
			}
			log.info("{} extensions available", catalog.extensions().size());
			removeLeftovers(install);
			if (hooked) {
				writeRemainingControlFiles(install, catalog, beforeStart);
			}
			background(catalog, scheduler, postgres);
		}
		catch (Exception ex) {
			Throwable cause = (ex instanceof ExecutionException) ? ex.getCause() : ex;
			if (this.parts.isClosed()) {
				log.info("Compute start-up ended, the loader is stopping: {}", cause.getMessage());
				return;
			}
			CatalogRefresh catalogs = this.catalogs;
			if (catalogs != null) {
				catalogs.abandon(cause);
			}
			this.state.failed("start-up failed: " + cause.getMessage());
			log.error("Compute start-up failed", cause);
			// a server that never accepted connections in time must not linger behind a
			// failed start
			PostgresSupervisor launched = this.parts.postgres();
			if (launched != null) {
				launched.close();
			}
		}
	}

	/**
	 * Removes the partial files a killed loader left anywhere in the installation's
	 * {@code share} and {@code lib} trees (a control file's {@code directory} may nest
	 * them). Done once Postgres accepts connections, since the walk grows with the files
	 * on disk and Postgres never opens a part file; those this process is writing
	 * meanwhile (its pid in their name, written since it started) are kept.
	 */
	private static void removeLeftovers(PostgresInstall install) {
		long pid = ProcessHandle.current().pid();
		Instant since = ProcessHandle.current().info().startInstant().orElse(Instant.EPOCH);
		Predicate<Path> leftover = (part) -> {
			if (FilePlacement.writerOf(part).orElse(-1L) != pid) {
				return true;
			}
			try {
				return Files.getLastModifiedTime(part).toInstant().isBefore(since);
			}
			catch (IOException ex) {
				return false;
			}
		};
		try {
			int leftovers = FilePlacement.removeLeftovers(install.sharedir(), leftover)
					+ FilePlacement.removeLeftovers(install.pkglibdir(), leftover);
			if (leftovers > 0) {
				log.info("Removed {} partial files a previous loader left behind", leftovers);
			}
		}
		catch (IOException | UncheckedIOException ex) {
			log.warn("Could not remove the partial files a previous loader left behind: {}", ex.getMessage());
		}
	}

	/**
	 * The control files not written before start, right after Postgres accepts
	 * connections and before any background download is queued. A control file the hook
	 * asks for meanwhile is placed by its JIT request; both write the same bytes through
	 * a rename.
	 */
	private void writeRemainingControlFiles(PostgresInstall install, ExtensionCatalog catalog,
			List<ExtIndexEntry> written) {
		long start = System.nanoTime();
		Set<String> done = new HashSet<>();
		written.forEach((entry) -> done.add(entry.name().value()));
		List<ExtIndexEntry> rest = catalog.extensions()
			.stream()
			.filter((entry) -> !done.contains(entry.name().value()))
			.toList();
		try {
			// in slices, so that a loader told to stop does not first write thousands of
			// files
			for (int from = 0; from < rest.size(); from += 256) {
				if (this.parts.isClosed()) {
					return;
				}
				ControlFiles.write(install, rest.subList(from, Math.min(rest.size(), from + 256)));
			}
		}
		catch (IOException ex) {
			// the compute runs; a JIT request still places any extension whose control
			// file is missing
			log.warn("Could not write every control file after start: {}", ex.getMessage());
			return;
		}
		long nanos = System.nanoTime() - start;
		Timer.builder("pgext.loader.control.files.deferred")
			.description("Time to write the control files left for after start (pgext_loader hook configured)")
			.register(this.meters)
			.record(Duration.ofNanos(nanos));
		log.info("Wrote {} control files after start in {} ms", rest.size(), TimeUnit.NANOSECONDS.toMillis(nanos));
	}

	private static List<ExtIndexEntry> union(List<ExtIndexEntry> first, List<ExtIndexEntry> second) {
		Map<String, ExtIndexEntry> all = new LinkedHashMap<>();
		first.forEach((entry) -> all.putIfAbsent(entry.name().value(), entry));
		second.forEach((entry) -> all.putIfAbsent(entry.name().value(), entry));
		return new ArrayList<>(all.values());
	}

	private void background(ExtensionCatalog catalog, DownloadScheduler scheduler, PostgresSupervisor postgres) {
		try {
			List<ExtIndexEntry> installed = new ArrayList<>();
			for (String name : InstalledExtensions.of(postgres)) {
				catalog.index().find(name).ifPresent((entry) -> installed.addAll(catalog.closure(entry)));
			}
			scheduler.requestAll(installed, Priority.INSTALLED);
		}
		catch (SQLException ex) {
			log.warn("Could not list installed extensions: {}", ex.getMessage());
		}
		if (this.properties.prefetch()) {
			scheduler.requestAll(catalog.extensions(), Priority.BACKGROUND);
		}
	}

	private void postgresChanged(PostgresSupervisor.State next) {
		if (next == PostgresSupervisor.State.CRASHED) {
			PostgresSupervisor postgres = this.parts.postgres();
			this.state.crashed((postgres != null) ? postgres.problem() : "postgres exited");
		}
		else if (next == PostgresSupervisor.State.STOPPED) {
			this.state.stopped();
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

}
