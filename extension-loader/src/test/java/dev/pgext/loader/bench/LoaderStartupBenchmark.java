package dev.pgext.loader.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

import dev.pgext.loader.FaultyS3Proxy;
import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.TestStores;
import dev.pgext.loader.compute.Compute;
import dev.pgext.loader.compute.ComputeSpec;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.loader.fetch.S3ExtensionSource;
import dev.pgext.loader.hook.PgHookBuild;
import dev.pgext.loader.postgres.PostgresSupervisor;
import dev.pgext.loader.trust.MetadataTrust;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataSigner;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.SigningKey;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.EmbeddedS3Server;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;

/**
 * Start-up time to "accepting connections", run on purpose (docs/benchmarks.md has the
 * commands). Two modes, the first argument:
 * <ul>
 * <li>{@code catalog [rounds] [with-unhooked]}: a compute with 2 preloaded extensions and
 * 10, 200, 2,000 and 10,000 available ones (the others small synthetic entries; the index
 * signed), with the {@code pgext_loader} hook configured (and, with
 * {@code with-unhooked}, without it), against the same run's bare Postgres start (same
 * binaries, same copied data directory, the same {@code shared_preload_libraries}) plus
 * the bare S3 GET of the preload closure, alternated; wall time and this JVM's CPU
 * time.</li>
 * <li>{@code bulk [rounds] [seed]}: 200 available extensions of realistic sizes: the
 * loader against downloading every extension at start, straight to the in-process S3
 * endpoint and through a proxy that shares 50 MiB/s among all connections, as a distant
 * store would.</li>
 * </ul>
 */
public final class LoaderStartupBenchmark {

	private static final int CATALOG = 200;

	private static final List<String> PRELOAD = List.of("pg_stat_statements", "pg_prewarm");

	private static final int WORKERS = 4;

	/** A store behind a link of 50 MiB/s, shared by every connection. */
	private static final long THROTTLED = 50L * 1024 * 1024;

	private static final String LOADER = "loader: start to accepting connections";

	private static final String BULK = "download all at start: start to accepting connections";

	private LoaderStartupBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		String mode = (args.length > 0) ? args[0] : "catalog";
		int rounds = (args.length > 1) ? Integer.parseInt(args[1]) : 5;
		if (mode.equals("catalog")) {
			catalogSizes(rounds, args.length > 2 && args[2].equals("with-unhooked"));
		}
		else if (mode.equals("bulk")) {
			bulkComparison(rounds, (args.length > 2) ? Long.parseLong(args[2]) : 42);
		}
		else {
			throw new IllegalArgumentException("mode is catalog or bulk, not " + mode);
		}
	}

	/**
	 * The catalog sizes of the {@code catalog} mode; {@code -Dpgext.bench.sizes=10,10000}
	 * picks some (to profile one size, for instance).
	 */
	private static final int[] CATALOG_SIZES = java.util.Arrays
		.stream(System.getProperty("pgext.bench.sizes", "10,200,2000,10000").split(","))
		.mapToInt((size) -> Integer.parseInt(size.trim()))
		.toArray();

	/**
	 * With {@code -Dpgext.bench.node-cache=true} the loader places through a node cache
	 * ({@code pgext.loader.cache-dir}), empty at each start: a node's first compute with
	 * these extensions.
	 */
	private static final boolean NODE_CACHE = Boolean.getBoolean("pgext.bench.node-cache");

	private static final String HOOKED = "loader, hook configured";

	private static final String UNHOOKED = "loader, no hook (every control file before start)";

	private static final String HOOKED_CPU = "loader, hook configured: JVM CPU to ready";

	private static final String BARE_GET_CPU = "bare GET: JVM CPU";

	private static final String BARE_START = "bare Postgres start";

	private static final String BARE_GET_LIBRARIES = "bare S3 GET of the preload closure's libraries (" + WORKERS
			+ " threads)";

	private static final String BARE_GET = "bare S3 GET of the preload closure (" + WORKERS + " threads)";

	/**
	 * Start to accepting connections against the number of available extensions; every
	 * size in every round, so a drift of the shared machine touches all of them alike,
	 * and the bare measurements alternate with the loader's (before it in even rounds,
	 * after it in odd ones). The index is signed and verified, as in production.
	 */
	private static void catalogSizes(int rounds, boolean withUnhooked) throws Exception {
		Path work = Files.createTempDirectory("pgext-loader-bench");
		try (EmbeddedS3Server s3 = EmbeddedS3Server.start(work.resolve("s3"), 0)) {
			S3ObjectStore store = S3ObjectStore.create(ObjectStoreSettings.of(s3.endpoint(), "bench",
					EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY));
			store.createBucketIfMissing();
			PostgresInstall shared = PostgresInstalls.shared(15);
			List<ExtIndexEntry> preloadEntries = new ArrayList<>();
			for (String name : PRELOAD) {
				ContribExtension extension = ContribExtension.of(shared, name);
				for (Path file : extension.files().values()) {
					store.put(StoreLayout.blob(Sha256Digest.of(file)), file, "application/octet-stream");
				}
				ExtIndexEntry entry = TestStores.entry(extension);
				preloadEntries.add(new ExtIndexEntry(entry.name(), entry.version(), entry.defaultVersion(),
						entry.control(), entry.files(), entry.libraries(), entry.requires(), PreloadNeed.SERVER,
						entry.trusted(), entry.superuser()));
			}
			int largest = CATALOG_SIZES[CATALOG_SIZES.length - 1];
			List<ExtIndexEntry> synthetic = TestStores.synthetic(store, "synthetic", largest - PRELOAD.size());
			List<ExtFile> preloadFiles = files(preloadEntries);
			Path installTemplate = work.resolve("install-template");
			TestStores.computeInstall(installTemplate, PRELOAD);
			Path dataTemplate = work.resolve("data-template");
			PostgresCluster.initdb(new PostgresInstall(installTemplate), dataTemplate);
			Path hook = PgHookBuild.library(15);
			SigningKey key = SigningKey.generate();
			MetadataSigner signer = new MetadataSigner(key, Clock.systemUTC());
			MetadataTrust trust = new MetadataTrust(new MetadataVerifier(TrustedKeys.of(List.of(key.publicKey())), true,
					VersionLedger.inMemory(), Clock.systemUTC()), null);
			ExtensionSource source = new S3ExtensionSource(store, Platform.DEFAULT, trust);
			String indexKey = StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(15), Platform.DEFAULT);
			long version = 0;
			Map<String, List<Long>> results = new LinkedHashMap<>();
			// round 0 warms the JVM up (its class loading and JIT would weigh on the
			// first
			// size of the first round) and is not counted
			for (int round = 0; round <= rounds; round++) {
				if (round == 1) {
					results.clear();
				}
				for (int size : CATALOG_SIZES) {
					List<ExtIndexEntry> entries = new ArrayList<>(preloadEntries);
					entries.addAll(synthetic.subList(0, size - PRELOAD.size()));
					ExtIndex index = ExtIndex.of(PgMajor.of(15), null, entries);
					byte[] indexJson = ExtIndexJson.write(index);
					store.put(indexKey, indexJson, "application/json");
					store.put(indexKey + MetadataSignature.SUFFIX,
							signer.sign(indexKey, indexJson, ++version, Duration.ofDays(1)).toJson(),
							"application/json");
					// what the registry's projection writes beside the index: a signed
					// document per library, of which a start reads its preload's
					for (Map.Entry<String, byte[]> document : TestStores.preloadDocuments(index).entrySet()) {
						store.put(document.getKey(), document.getValue(), "application/json");
						store.put(document.getKey() + MetadataSignature.SUFFIX,
								signer.sign(document.getKey(), document.getValue(), ++version, Duration.ofDays(1))
									.toJson(),
								"application/json");
					}
					String prefix = String.format("%,d extensions: ", size);
					Path dir = work.resolve("run");
					LoaderProperties plain = LoaderProperties.defaults().withWorkers(WORKERS, false);
					boolean bareFirst = round % 2 == 0;
					if (bareFirst) {
						bare(results, prefix, store, source, preloadFiles, hook, installTemplate, dataTemplate, dir);
					}
					record(results, prefix + HOOKED, loader(source, plain.withHook(hook, "127.0.0.1:1"),
							installTemplate, dataTemplate, dir.resolve("hooked"), results, prefix + "phase "));
					if (!bareFirst) {
						bare(results, prefix, store, source, preloadFiles, hook, installTemplate, dataTemplate, dir);
					}
					if (withUnhooked) {
						record(results, prefix + UNHOOKED,
								loader(source, plain, installTemplate, dataTemplate, dir.resolve("plain"), null, null));
					}
					record(results, prefix + "index size (KiB)", indexJson.length / 1024);
					FileTrees.delete(dir);
				}
				System.out.printf("round %d%s done, load average %.1f%n", round, (round == 0) ? " (warm-up)" : "",
						ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
			}
			System.out.println();
			printTable(results);
			System.out.println();
			System.out.println("| available | loader, hook | bare start + bare GET | ratio | bare GET of the libraries"
					+ " | ratio to bare start + it | loader JVM CPU to ready | bare GET JVM CPU | `index` | `preload`"
					+ " | `postgres` | `index-deferred` (after ready) |");
			System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
			long smallest = 0;
			long smallestCpu = 0;
			for (int size : CATALOG_SIZES) {
				String prefix = String.format("%,d extensions: ", size);
				long hooked = median(results.get(prefix + HOOKED));
				long cpu = median(results.get(prefix + HOOKED_CPU));
				long bare = median(results.get(prefix + BARE_START)) + median(results.get(prefix + BARE_GET));
				smallest = (smallest == 0) ? hooked : smallest;
				smallestCpu = (smallestCpu == 0) ? cpu : smallestCpu;
				long libraries = median(results.get(prefix + BARE_GET_LIBRARIES));
				System.out.printf("| %,d | %d | %d + %d | %.2f | %d | %.2f | %d | %d | %d | %d | %d | %d |%n", size,
						hooked, median(results.get(prefix + BARE_START)), median(results.get(prefix + BARE_GET)),
						(double) hooked / bare, libraries,
						(double) hooked / (median(results.get(prefix + BARE_START)) + libraries), cpu,
						median(results.get(prefix + BARE_GET_CPU)), median(results.get(prefix + "phase index")),
						median(results.get(prefix + "phase preload")), median(results.get(prefix + "phase postgres")),
						median(results.get(prefix + "phase index-deferred")));
			}
			String top = String.format("%,d extensions: ", largest);
			System.out.printf("loader (hook) at %,d / at %,d extensions: wall %.2f, JVM CPU %.2f%n", largest,
					CATALOG_SIZES[0], (double) median(results.get(top + HOOKED)) / smallest,
					(double) median(results.get(top + HOOKED_CPU)) / smallestCpu);
		}
		finally {
			FileTrees.delete(work);
		}
	}

	/** The bare GET of the preload closure, then the bare Postgres start. */
	private static void bare(Map<String, List<Long>> results, String prefix, S3ObjectStore store,
			ExtensionSource source, List<ExtFile> preloadFiles, Path hook, Path installTemplate, Path dataTemplate,
			Path dir) throws Exception {
		long cpu = cpuNanos();
		record(results, prefix + BARE_GET, bareTransfer(store, preloadFiles));
		record(results, prefix + BARE_GET_CPU, TimeUnit.NANOSECONDS.toMillis(cpuNanos() - cpu));
		// what the loader places before launch with the hook: the closure's files under
		// $libdir
		record(results, prefix + BARE_GET_LIBRARIES,
				bareTransfer(store, preloadFiles.stream().filter(ExtFile::isLibrary).toList()));
		record(results, prefix + BARE_START,
				bareStart(source, preloadFiles, hook, installTemplate, dataTemplate, dir.resolve("bare")));
	}

	/** CPU time of this JVM (the loader, and the in-process S3 endpoint serving it). */
	private static long cpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	/**
	 * Postgres alone, from the same copied installation (the preload closure placed
	 * beforehand, untimed) and data directory, with the settings the loader gives it.
	 */
	private static long bareStart(ExtensionSource source, List<ExtFile> preloadFiles, Path hook, Path installTemplate,
			Path dataTemplate, Path dir) throws Exception {
		PostgresInstall install = new PostgresInstall(copy(installTemplate, dir.resolve("install")));
		Path data = copy(dataTemplate, dir.resolve("data"));
		FilePlacer placer = new FilePlacer(source, null, null, FilePlacer.retry(3, Duration.ofMillis(100)),
				new SimpleMeterRegistry());
		for (ExtFile file : preloadFiles) {
			placer.place(file, install.resolve(file.path()), () -> false);
		}
		Files.copy(hook, install.pkglibdir().resolve("pgext_loader.so"));
		try (PostgresSupervisor postgres = new PostgresSupervisor(install, data, freePort(), Duration.ofMinutes(1),
				null)) {
			long start = System.nanoTime();
			postgres.start(
					Map.of("listen_addresses", "127.0.0.1", "unix_socket_directories", "", "shared_preload_libraries",
							"pgext_loader," + String.join(",", PRELOAD), "pgext_loader.server", "127.0.0.1:1"),
					Duration.ofMinutes(2));
			return millis(start);
		}
	}

	private static void printTable(Map<String, List<Long>> results) {
		// every value, for merging runs of the same command (the load changes between
		// them)
		results.forEach((name, values) -> System.out.printf("raw %s = %s%n", name, values));
		System.out.println("| measurement (ms) | median | min | max |");
		System.out.println("|---|---:|---:|---:|");
		results.forEach((name, values) -> {
			long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
			System.out.printf("| %s | %d | %d | %d |%n", name, sorted[sorted.length / 2], sorted[0],
					sorted[sorted.length - 1]);
		});
	}

	private static void bulkComparison(int rounds, long seed) throws Exception {
		Path work = Files.createTempDirectory("pgext-loader-bench");
		try (EmbeddedS3Server s3 = EmbeddedS3Server.start(work.resolve("s3"), 0)) {
			ObjectStoreSettings settings = ObjectStoreSettings.of(s3.endpoint(), "bench", EmbeddedS3Server.ACCESS_KEY,
					EmbeddedS3Server.SECRET_KEY);
			S3ObjectStore store = S3ObjectStore.create(settings);
			store.createBucketIfMissing();
			ExtIndex index = fillStore(store, work, seed);
			long totalBytes = bytes(index.extensions());
			List<ExtIndexEntry> preload = index.requiresClosure(PRELOAD);
			long preloadBytes = bytes(preload);
			System.out.printf("catalog: %d extensions, %d files, %.1f MiB; preloaded: %s, %d files, %.2f MiB%n",
					index.extensions().size(), files(index.extensions()).size(), totalBytes / 1048576.0, PRELOAD,
					files(preload).size(), preloadBytes / 1048576.0);

			Path installTemplate = work.resolve("install-template");
			List<String> contrib = contribNames();
			TestStores.computeInstall(installTemplate, contrib);
			Path dataTemplate = work.resolve("data-template");
			long initdbStart = System.nanoTime();
			PostgresCluster.initdb(new PostgresInstall(installTemplate), dataTemplate);
			System.out.printf("initdb (done once, outside every measurement): %d ms%n", millis(initdbStart));

			Map<String, List<Long>> results = new LinkedHashMap<>();
			for (long bandwidth : new long[] { 0, THROTTLED }) {
				String prefix = (bandwidth == 0) ? "loopback: " : "50 MiB/s: ";
				try (FaultyS3Proxy proxy = (bandwidth == 0) ? FaultyS3Proxy.counting(s3.endpoint())
						: FaultyS3Proxy.throttled(s3.endpoint(), bandwidth)) {
					S3ObjectStore viaProxy = S3ObjectStore.create(ObjectStoreSettings.of(proxy.endpoint(), "bench",
							EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY));
					ExtensionSource source = new S3ExtensionSource(viaProxy);
					for (int round = 1; round <= rounds; round++) {
						Path dir = work.resolve("round-" + round);
						record(results, prefix + LOADER,
								loader(source, LoaderProperties.defaults().withWorkers(WORKERS, true), installTemplate,
										dataTemplate, dir.resolve("loader"), results, prefix + "loader phase: "));
						record(results, prefix + BULK,
								bulk(source, index, installTemplate, dataTemplate, dir.resolve("bulk")));
						record(results, prefix + "bare S3 GET of the preload closure (" + WORKERS + " threads)",
								bareTransfer(viaProxy, files(preload)));
						record(results, prefix + "bare S3 GET of the whole catalog (" + WORKERS + " threads)",
								bareTransfer(viaProxy, files(index.extensions())));
						FileTrees.delete(dir);
						System.out.printf("%sround %d done%n", prefix, round);
					}
					viaProxy.close();
				}
			}
			System.out.println();
			System.out.println("| measurement (ms) | median | min | max |");
			System.out.println("|---|---:|---:|---:|");
			results.forEach((name, values) -> {
				long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
				System.out.printf("| %s | %d | %d | %d |%n", name, sorted[sorted.length / 2], sorted[0],
						sorted[sorted.length - 1]);
			});
			for (String prefix : List.of("loopback: ", "50 MiB/s: ")) {
				long loader = median(results.get(prefix + LOADER));
				long bulk = median(results.get(prefix + BULK));
				System.out.printf("%sratio download-all / loader: %.1fx%n", prefix, (double) bulk / loader);
			}
		}
		finally {
			FileTrees.delete(work);
		}
	}

	private static long loader(ExtensionSource source, LoaderProperties properties, Path installTemplate,
			Path dataTemplate, Path dir, Map<String, List<Long>> results, String phasePrefix) throws Exception {
		Path install = copy(installTemplate, dir.resolve("install"));
		Path data = copy(dataTemplate, dir.resolve("data"));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		FilePlacer placer = new FilePlacer(source, NODE_CACHE ? dir.resolve("node-cache") : null, null,
				FilePlacer.retry(3, Duration.ofMillis(100)), meters);
		AtomicLong cpuAtReady = new AtomicLong();
		Compute compute = new Compute(properties, source, placer, meters, (event) -> {
			if (event instanceof AvailabilityChangeEvent<?> change
					&& change.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
				cpuAtReady.set(cpuNanos());
			}
		});
		long cpuAtStart = cpuNanos();
		try {
			compute.startAndWait(new ComputeSpec(null, 15, install.toString(), data.toString(), freePort(), PRELOAD,
					List.of(), List.of(), Map.of("unix_socket_directories", "")));
			if (!compute.isRunning()) {
				throw new IllegalStateException("the compute did not start: " + compute.status().problem());
			}
			if (results != null) {
				if (properties.hook().enabled() && !"documents".equals(compute.status().preloadFrom())) {
					throw new IllegalStateException("the compute read " + compute.status().preloadFrom()
							+ " before launch instead of its preload documents");
				}
				compute.status().phaseMillis().forEach((phase, ms) -> {
					if (!phase.equals("total")) {
						record(results, phasePrefix + phase, ms);
					}
				});
				record(results, phasePrefix.replace("phase ", HOOKED_CPU),
						TimeUnit.NANOSECONDS.toMillis(cpuAtReady.get() - cpuAtStart));
			}
			// up to the moment Postgres accepted its first connection, not the background
			// work after it
			return compute.status().phaseMillis().get("total");
		}
		finally {
			compute.destroy();
		}
	}

	/**
	 * The rejected alternative: every file of every extension in place before Postgres
	 * starts.
	 */
	private static long bulk(ExtensionSource source, ExtIndex index, Path installTemplate, Path dataTemplate, Path dir)
			throws Exception {
		PostgresInstall install = new PostgresInstall(copy(installTemplate, dir.resolve("install")));
		Path data = copy(dataTemplate, dir.resolve("data"));
		FilePlacer placer = new FilePlacer(source, null, null, FilePlacer.retry(3, Duration.ofMillis(100)),
				new SimpleMeterRegistry());
		long start = System.nanoTime();
		ExtIndex fetched = source.index(PgMajor.of(15), null);
		ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (ExtFile file : files(fetched.extensions())) {
				done.add(pool.submit(() -> placer.place(file, install.resolve(file.path()), () -> false)));
			}
			for (Future<?> future : done) {
				future.get();
			}
		}
		finally {
			pool.shutdownNow();
		}
		try (PostgresSupervisor postgres = new PostgresSupervisor(install, data, freePort(), Duration.ofMinutes(1),
				null)) {
			postgres.start(Map.of("listen_addresses", "127.0.0.1", "unix_socket_directories", "",
					"shared_preload_libraries", String.join(",", PRELOAD)), Duration.ofMinutes(2));
			return millis(start);
		}
	}

	private static long bareTransfer(S3ObjectStore store, List<ExtFile> files) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
		try {
			long start = System.nanoTime();
			List<Future<?>> done = new ArrayList<>();
			for (ExtFile file : files) {
				done.add(pool.submit(() -> {
					try (InputStream in = store.get(StoreLayout.blob(file.sha256())).orElseThrow()) {
						in.transferTo(OutputStream.nullOutputStream());
					}
					return null;
				}));
			}
			for (Future<?> future : done) {
				future.get();
			}
			return millis(start);
		}
		finally {
			pool.shutdownNow();
		}
	}

	/**
	 * Every contrib extension of Postgres 15, plus synthetic ones up to
	 * {@value #CATALOG}, each with a control file, an install script and a library whose
	 * size is log-uniform between 50 KiB and 5 MiB (most extensions are small, a few are
	 * large).
	 */
	private static ExtIndex fillStore(S3ObjectStore store, Path work, long seed) throws IOException {
		List<ExtIndexEntry> entries = new ArrayList<>();
		PostgresInstall shared = PostgresInstalls.shared(15);
		for (String name : contribNames()) {
			ContribExtension extension = ContribExtension.of(shared, name);
			for (Path file : extension.files().values()) {
				store.put(StoreLayout.blob(Sha256Digest.of(file)), file, "application/octet-stream");
			}
			ExtIndexEntry entry = TestStores.entry(extension);
			if (PRELOAD.contains(name)) {
				entry = new ExtIndexEntry(entry.name(), entry.version(), entry.defaultVersion(), entry.control(),
						entry.files(), entry.libraries(), entry.requires(), PreloadNeed.SERVER, entry.trusted(),
						entry.superuser());
			}
			entries.add(entry);
		}
		Random random = new Random(seed);
		Path scratch = Files.createDirectories(work.resolve("synthetic"));
		for (int i = entries.size(); i < CATALOG; i++) {
			String name = String.format("synthetic_%03d", i);
			String control = "comment = 'synthetic benchmark extension'\ndefault_version = '1.0'\n"
					+ "module_pathname = '$libdir/" + name + "'\nrelocatable = true\n";
			byte[] script = ("CREATE FUNCTION " + name + "_version() RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C;\n")
				.getBytes(StandardCharsets.UTF_8);
			int size = (int) (50 * 1024 * Math.exp(random.nextDouble() * Math.log(100)));
			byte[] library = new byte[size];
			random.nextBytes(library);
			Path libraryFile = scratch.resolve(name + ".so");
			Files.write(libraryFile, library);
			List<ExtFile> files = List.of(
					put(store, "share/extension/" + name + ".control", control.getBytes(StandardCharsets.UTF_8)),
					put(store, "share/extension/" + name + "--1.0.sql", script),
					put(store, "lib/" + name + ".so", library));
			entries.add(new ExtIndexEntry(ExtensionName.of(name), ExtensionVersion.of("1.0"), "1.0", control, files,
					List.of(name), List.of(), PreloadNeed.NONE, false, true));
			Files.delete(libraryFile);
		}
		ExtIndex index = ExtIndex.of(PgMajor.of(15), null, entries);
		store.put(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(15)), ExtIndexJson.write(index), "application/json");
		return index;
	}

	private static ExtFile put(S3ObjectStore store, String path, byte[] content) {
		Sha256Digest digest = Sha256Digest.of(content);
		store.put(StoreLayout.blob(digest), content, "application/octet-stream");
		return new ExtFile(path, digest, content.length);
	}

	private static List<String> contribNames() throws IOException {
		try (Stream<Path> controls = Files.list(PostgresInstalls.shared(15).extensionDir())) {
			return controls.map((p) -> p.getFileName().toString())
				.filter((n) -> n.endsWith(".control") && !n.equals("plpgsql.control"))
				.map((n) -> n.substring(0, n.length() - ".control".length()))
				.sorted()
				.toList();
		}
	}

	private static Path copy(Path from, Path to) throws IOException, InterruptedException {
		Files.createDirectories(to.getParent());
		Process cp = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
		if (cp.waitFor() != 0) {
			throw new IOException("cp -a " + from + " " + to + " failed");
		}
		return to;
	}

	private static List<ExtFile> files(List<ExtIndexEntry> entries) {
		return entries.stream().flatMap((e) -> e.files().stream()).toList();
	}

	private static long bytes(List<ExtIndexEntry> entries) {
		return files(entries).stream().mapToLong(ExtFile::size).sum();
	}

	private static void record(Map<String, List<Long>> results, String name, long value) {
		results.computeIfAbsent(name, (k) -> new ArrayList<>()).add(value);
	}

	private static long median(List<Long> values) {
		long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
		return sorted[sorted.length / 2];
	}

	private static long millis(long startNanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
	}

	private static int freePort() throws IOException {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
