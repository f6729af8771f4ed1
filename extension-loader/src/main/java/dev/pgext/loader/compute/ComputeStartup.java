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
import dev.pgext.loader.fetch.DeferredSync;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FetchException;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.loader.fetch.IndexText;
import dev.pgext.loader.postgres.PostgresSupervisor;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * Start-up of one compute, in phases, each timed: stop a postmaster a killed loader left
 * on the data directory, check the files a previous start left unsynced
 * ({@link DeferredSync#recover}), read and verify the index (with the hook, binding only
 * the preload closure's entries, whose files are fetched into staged names while the
 * index streams: {@link EarlyPreload}), write the control files Postgres needs before
 * start while the server-preload extensions (and what they require) are put in place
 * (with the hook only their libraries, what Postgres loads at start) and the hook library
 * is placed, initdb if needed, start Postgres while the session-preload extensions
 * download (no session can connect without them; with the hook only their libraries); the
 * preload's files are renamed into place without fsync under a durable journal
 * ({@link DeferredSync}). Only then is the compute {@code RUNNING}; those files are
 * fsynced, the server- and then the session-preload extensions are asked for whole (their
 * scripts), the rest of the index is bound, partial files a killed loader left are
 * removed, the other control files written, and the extensions installed in any database
 * and, with prefetch on, all the rest follow in the background. Nothing before the launch
 * grows with the catalog but the transfer, hash and tokenizing of the index's bytes.
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

	/** Set by the start-up thread before Postgres launches. */
	private DownloadScheduler scheduler;

	private List<ExtIndexEntry> beforeStart;

	/**
	 * With the hook, the server-preload extensions whose libraries alone were placed
	 * before launch: asked for whole once Postgres accepts connections.
	 */
	private List<ExtIndexEntry> afterStart = List.of();

	/**
	 * With the hook, the session-preload extensions (not also server-preload) whose
	 * libraries alone were placed before ready: asked for whole after the server-preload
	 * ones.
	 */
	private List<ExtIndexEntry> sessionAfterStart = List.of();

	private CompletableFuture<Void> sessionPreloaded;

	private CompletableFuture<Map<String, String>> launchSettings;

	/** The preload's renames made durable after ready; set before Postgres launches. */
	private DeferredSync deferredSync;

	private int preloaded;

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

	/** The compute's catalog, or {@code null} before start-up created it. */
	CatalogRefresh catalogs() {
		return this.catalogs;
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
			recoverUnsynced(install);
			CatalogRefresh catalogs = new CatalogRefresh(this.source, this.spec, install,
					this.properties.indexRefreshInterval());
			this.parts.attach(catalogs);
			this.catalogs = catalogs;
			boolean hooked = this.properties.hook().enabled();
			try {
				ExtensionCatalog catalog = readAndPreload(catalogs, install, hooked);
				timed("initdb", postgres::initdbIfEmpty);
				Map<String, String> settings = this.launchSettings.get();
				timed("postgres", () -> {
					postgres.launch(settings);
					this.sessionPreloaded.get();
					postgres.awaitConnections(this.properties.postgresStartTimeout());
					return null;
				});
				running(started, catalogs, catalog, install, postgres, hooked);
			}
			finally {
				// never left running behind a failed start
				if (this.launchSettings != null) {
					awaitQuietly(this.launchSettings);
				}
			}
		}
		catch (Exception ex) {
			failed(ex);
		}
	}

	/**
	 * Reads the indexes (with the hook, binding only the preload closure; its files
	 * fetched into staged names while the index streams) and places what Postgres needs
	 * before it launches, while the hook library is placed beside it; the session-preload
	 * extensions are asked for too and follow.
	 */
	private ExtensionCatalog readAndPreload(CatalogRefresh catalogs, PostgresInstall install, boolean hooked)
			throws Exception {
		try (EarlyPreload early = new EarlyPreload(this.placer, install, this.spec.sharedPreloadLibraries(),
				this.spec.availableExtensions(), this.properties.workers())) {
			// with the hook, CREATE EXTENSION asks for a missing control file, so only
			// the preloaded extensions' entries and control files are needed before
			// start, and the rest of the index is bound after it; without it nothing
			// would ever fetch a control file, so every one is written first
			ExtensionCatalog catalog = timed("index",
					hooked ? () -> catalogs.readPreload(early.wanted() ? early : IndexText.EntryListener.NONE)
							: catalogs::read);
			// the hook library needs nothing from the index: it is placed while the
			// preload files are (not before the index is verified: a refused start leaves
			// nothing behind). initdb stays after the preload: a loader killed meanwhile
			// must not leave an initdb's server process behind
			this.launchSettings = placeHook(install);
			DownloadScheduler scheduler = this.parts.attach(new DownloadScheduler(install, this.placer,
					catalog.extensions(), this.properties.workers(), this.meters));
			this.scheduler = scheduler;
			List<ExtIndexEntry> preload = catalog.forLibraries(this.spec.sharedPreloadLibraries());
			List<ExtIndexEntry> sessionPreload = catalog.forLibraries(this.spec.sessionPreloadLibraries());
			List<ExtIndexEntry> closure = union(preload, sessionPreload);
			this.beforeStart = hooked ? closure : catalog.extensions();
			this.preloaded = preload.size();
			// the files placed before start are renamed into place without waiting for
			// the disk; the journal naming them is made durable meanwhile, before the
			// first rename, and they are fsynced once Postgres accepts connections. The
			// session-preload ones are awaited only before the compute is ready: every
			// new session loads them, and they are placed while Postgres starts
			DeferredSync deferred;
			CompletableFuture<Void> preloaded;
			long promoting = 0;
			int promoted = 0;
			if (hooked) {
				// Postgres needs only the server-preload extensions' libraries to start,
				// and a session only the session-preload ones': their scripts, which only
				// CREATE and ALTER EXTENSION read (and the hook asks for while one is
				// missing), are asked for once it accepts connections
				Set<String> server = names(preload);
				this.afterStart = preload;
				this.sessionAfterStart = sessionPreload.stream()
					.filter((entry) -> !server.contains(entry.name().value()))
					.toList();
				List<ExtIndexEntry> ahead = librariesOf(this.afterStart);
				List<ExtIndexEntry> sessionAhead = librariesOf(this.sessionAfterStart);
				deferred = DeferredSync.begin(install, union(ahead, sessionAhead), ComputeStartup::onOwnThread);
				// what was fetched early is put in place in one batch; the placement
				// then finds those files present and places what is still missing
				promoting = System.nanoTime();
				promoted = early.promote(ahead, deferred);
				promoting = System.nanoTime() - promoting;
				preloaded = scheduler.placeAhead(ahead, deferred);
				this.sessionPreloaded = scheduler.placeAhead(sessionAhead, deferred);
			}
			else {
				deferred = DeferredSync.begin(install, closure, ComputeStartup::onOwnThread);
				preloaded = scheduler.requestAll(preload, Priority.SERVER_PRELOAD, deferred);
				this.sessionPreloaded = scheduler.requestAll(sessionPreload, Priority.SESSION_PRELOAD, deferred);
			}
			this.deferredSync = deferred;
			timed("control-files", () -> {
				// the closure's control files are in the journal too: not renamed before
				// it is durable
				if (!closure.isEmpty()) {
					deferred.awaitRecorded();
				}
				ControlFiles.write(install, this.beforeStart);
				return null;
			});
			long waiting = System.nanoTime();
			try {
				preloaded.get();
			}
			finally {
				record("preload", promoting + System.nanoTime() - waiting);
			}
			log.debug("{} preload files were fetched while the index was read", promoted);
			return catalog;
		}
	}

	/**
	 * Places the hook library, beside the preload's placement: the settings Postgres
	 * launches with.
	 */
	private CompletableFuture<Map<String, String>> placeHook(PostgresInstall install) {
		CompletableFuture<Map<String, String>> settings = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			try {
				settings.complete(new HookLibrary(this.properties.hook()).place(install, this.spec.postgresSettings()));
			}
			catch (Throwable ex) {
				settings.completeExceptionally(ex);
			}
		}, "pgext-hook-placement");
		thread.setDaemon(true);
		thread.start();
		return settings;
	}

	/**
	 * Checks what a previous start renamed into place without fsync, if its journal is
	 * there, before anything is placed ({@link DeferredSync#recover}).
	 */
	private static void recoverUnsynced(PostgresInstall install) {
		try {
			DeferredSync.recover(install);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot check the files the previous start placed: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Makes the preload's files durable, on their own thread: Postgres accepts
	 * connections already, and nothing after it waits for the disk.
	 */
	private void syncDeferred() {
		DeferredSync deferred = this.deferredSync;
		if (deferred == null) {
			return;
		}
		onOwnThread(() -> {
			long start = System.nanoTime();
			try {
				int files = deferred.complete();
				record("deferred-sync", System.nanoTime() - start);
				log.debug("{} files placed before start are durable", files);
			}
			catch (IOException ex) {
				log.warn("Could not make the files placed before start durable, the next start checks them: {}",
						ex.getMessage());
			}
		});
	}

	private static void onOwnThread(Runnable task) {
		Thread thread = new Thread(task, "pgext-deferred-sync");
		thread.setDaemon(true);
		thread.start();
	}

	private static void awaitQuietly(CompletableFuture<?> future) {
		try {
			future.join();
		}
		catch (RuntimeException ex) {
			// reported where it was first waited for
		}
	}

	/**
	 * What follows once Postgres accepts connections: the rest of the index bound,
	 * leftovers removed, the other control files written, background downloads queued.
	 */
	private void running(long startNanos, CatalogRefresh catalogs, ExtensionCatalog catalog, PostgresInstall install,
			PostgresSupervisor postgres, boolean hooked) throws Exception {
		this.phaseMillis.put("total", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
		syncDeferred();
		if (!this.state.running()) {
			log.warn("Postgres accepted connections, but the compute is {} already", this.state.phase());
			catalogs.abandon(new IllegalStateException("the compute is " + this.state.phase()));
			return;
		}
		log.info("Compute started in {} ms ({} placed before start)", this.phaseMillis.get("total"), this.preloaded);
		// the rest of the preloaded extensions (their scripts) first: failures are the
		// scheduler's to report, and a CREATE EXTENSION meanwhile asks through the hook
		this.scheduler.requestAll(this.afterStart, Priority.SERVER_PRELOAD);
		this.scheduler.requestAll(this.sessionAfterStart, Priority.SESSION_PRELOAD);
		if (hooked) {
			try {
				catalog = timed("index-deferred", catalogs::completeRead);
				this.scheduler.available(catalog.extensions());
			}
			catch (FetchException ex) {
				// the compute runs on what it preloaded; JIT requests get this reason
				log.error("Only the preloaded extensions are available: {}", ex.getMessage());
			}
		}
		log.info("{} extensions available", catalog.extensions().size());
		removeLeftovers(install);
		if (hooked) {
			writeRemainingControlFiles(install, catalog, this.beforeStart);
		}
		background(catalog, this.scheduler, postgres);
	}

	private void failed(Exception ex) {
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
		catch (IOException ex) {
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

	/**
	 * {@code entries}, each with only its files under {@code $libdir}
	 * ({@link ExtFile#isLibrary}): the libraries Postgres loads at start (and those a
	 * session loads), not their scripts or control files.
	 */
	private static List<ExtIndexEntry> librariesOf(List<ExtIndexEntry> entries) {
		return entries.stream()
			.map((entry) -> new ExtIndexEntry(entry.name(), entry.version(), entry.defaultVersion(), entry.control(),
					entry.files().stream().filter(ExtFile::isLibrary).toList(), entry.libraries(), entry.requires(),
					entry.preload(), entry.trusted(), entry.superuser()))
			.toList();
	}

	private static Set<String> names(List<ExtIndexEntry> entries) {
		Set<String> names = new HashSet<>();
		entries.forEach((entry) -> names.add(entry.name().value()));
		return names;
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
			record(name, System.nanoTime() - start);
		}
	}

	private void record(String phase, long nanos) {
		this.phaseMillis.put(phase, TimeUnit.NANOSECONDS.toMillis(nanos));
		Timer.builder("pgext.loader.start.phase")
			.description("Time of each compute start-up phase")
			.tag("phase", phase)
			.register(this.meters)
			.record(Duration.ofNanos(nanos));
	}

	@FunctionalInterface
	private interface Step<T> {

		T run() throws Exception;

	}

}
