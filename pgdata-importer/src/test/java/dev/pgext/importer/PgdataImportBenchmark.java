package dev.pgext.importer;

import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.pgext.model.Executables;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.EmbeddedS3Server;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Import throughput against a plain parallel download of the same bytes from the same
 * endpoint, CPU time per GiB and peak heap, for a PGDATA of more than 1 GiB. Not part of
 * {@code verify} (the name matches no surefire include); run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl pgdata-importer -am test -Dtest=PgdataImportBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -DargLine=-Xmx512m -Dbench.links=direct,250,1000,2500 [-Dbench.zstd=1,-1] [-Dbench.imports=2] \
 *     [-Dbench.awscli=true]
 * </pre>
 *
 * {@code bench.links} lists the endpoints to measure in turn: {@code direct} is the
 * in-process S3 server on localhost, a number is a {@link ThrottlingProxy} in front of it
 * limiting the link to that many Mbit/s in each direction ({@code 0}: the proxy without a
 * limit). For every link the download and the import both go through it (the importer's
 * reads and its layer uploads alike), alternated in rounds; before them, a download
 * straight from the server and one through the proxy check that the proxy reaches its
 * cap. {@code bench.zstd} lists compression levels and {@code bench.jobs} job
 * concurrencies (default 4), one importer for each pair, alternated within each round.
 * {@code bench.awscli=true} adds, in each round, the download a user would make with the
 * AWS CLI ({@code aws s3 cp --recursive} into files).
 */
class PgdataImportBenchmark {

	private static final String TENANT = "0123456789abcdef0123456789abcdef";

	private static final int CONCURRENCY = 4;

	private static final long RANGE = 4L << 20;

	/**
	 * What a user downloading the files would pick: many GETs at once (16; {@code aws s3
	 * cp} uses 10).
	 */
	private static final int PLAIN_CONCURRENCY = 16;

	/** The range a plain download splits a large object into. */
	private static final long PLAIN_RANGE = 8L << 20;

	@Test
	void importThroughputAgainstRawReads() throws Exception {
		Path root = Path.of("target", "bench").toAbsolutePath();
		Path pgdata = root.resolve("pgdata");
		if (!Files.exists(pgdata.resolve("global/pg_control"))) {
			FileTrees.delete(root);
			Files.createDirectories(root);
			PostgresCluster cluster = PostgresCluster.initdb(PostgresInstalls.shared(15), pgdata);
			cluster.start(Map.of("max_wal_size", "4GB", "checkpoint_timeout", "30min"));
			try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
				s.execute("CREATE TABLE big (id bigint, a text, b text)");
				s.execute("INSERT INTO big SELECT i, md5(i::text), md5((i * 7)::text) "
						+ "FROM generate_series(1, 9000000) i");
				s.execute("CREATE INDEX big_id ON big (id)");
			}
			cluster.stop();
		}
		long pgdataBytes = PgdataFixture.files(pgdata).stream().mapToLong((f) -> size(pgdata.resolve(f))).sum();
		log("PGDATA: %d files, %.1f MiB", PgdataFixture.files(pgdata).size(), pgdataBytes / 1048576.0);

		Path s3dir = root.resolve("s3");
		List<Integer> levels = java.util.Arrays.stream(System.getProperty("bench.zstd", "1").split(","))
			.map(Integer::valueOf)
			.toList();
		List<Integer> jobCounts = java.util.Arrays.stream(System.getProperty("bench.jobs", "" + CONCURRENCY).split(","))
			.map(Integer::valueOf)
			.toList();
		List<int[]> variants = new ArrayList<>();
		for (int level : levels) {
			for (int jobs : jobCounts) {
				variants.add(new int[] { level, jobs });
			}
		}
		List<String> links = List.of(System.getProperty("bench.links", "direct").split(","));
		try (EmbeddedS3Server s3 = EmbeddedS3Server.start(s3dir, 0);
				ThrottlingProxy proxy = new ThrottlingProxy(s3.endpoint(), 0)) {
			S3ObjectStore store = store(s3.endpoint());
			store.createBucketIfMissing();
			if (store.head("dump/status/pgdata").isEmpty()) {
				long t0 = System.nanoTime();
				PgdataFixture.upload(store, "dump", pgdata, null);
				log("upload: %.1f s", (System.nanoTime() - t0) / 1e9);
			}
			S3ObjectStore throughProxy = store(proxy.endpoint());

			List<String> relationFiles = PgdataFixture.files(pgdata)
				.stream()
				.filter((f) -> f.matches("(global|base/[0-9]+)/[0-9]+(_fsm|_vm|_init)?(\\.[0-9]+)?"))
				.toList();
			long relationBytes = relationFiles.stream().mapToLong((f) -> size(pgdata.resolve(f))).sum();
			assertThat(relationBytes).isGreaterThan(1L << 30);
			CpuClock cpu = new CpuClock(proxy);
			long[] raw = rawRead(store, relationFiles, pgdata);
			CpuClock.Lap rawCpu = cpu.lap();
			log("raw ranged GETs of the relation files: %.1f MiB in %.1f s = %.1f MiB/s, %.1f CPU s/GiB",
					raw[0] / 1048576.0, raw[1] / 1e9, mibps(raw), rawCpu.perGiB(raw[0]));
			for (String link : links) {
				boolean direct = "direct".equals(link);
				long mbit = direct ? 0 : Long.parseLong(link);
				proxy.rate(mbit);
				String name = direct ? "direct (localhost)"
						: (mbit == 0) ? "through the proxy, no limit" : "through the proxy at " + mbit + " Mbit/s";
				S3ObjectStore endpoint = direct ? store : throughProxy;
				if (!direct) {
					// the proxy's own cost and the cap it keeps: the same download
					// straight
					// from the server, then through the proxy
					cpu.lap();
					long[] straight = parallelDownload(store, relationFiles, PLAIN_CONCURRENCY);
					CpuClock.Lap straightCpu = cpu.lap();
					long[] proxied = parallelDownload(throughProxy, relationFiles, PLAIN_CONCURRENCY);
					CpuClock.Lap proxiedCpu = cpu.lap();
					log("[%s] proxy check: plain download direct %.1f MiB/s (%.1f CPU s/GiB), through the proxy "
							+ "%.1f MiB/s (%.1f CPU s/GiB, the proxy's threads %.2f); the cap is %s", name,
							mibps(straight), straightCpu.perGiB(straight[0]), mibps(proxied),
							proxiedCpu.perGiB(proxied[0]), proxiedCpu.proxyPerGiB(proxied[0]),
							(mbit == 0) ? "none" : String.format("%.1f MiB/s", mbit * 1e6 / 8 / 1048576.0));
				}
				URI endpointUri = direct ? s3.endpoint() : proxy.endpoint();
				// one importer per zstd level and job concurrency, the same endpoint; the
				// rounds alternate between them
				List<ConfigurableApplicationContext> apps = new ArrayList<>();
				try {
					for (int[] variant : variants) {
						int level = variant[0];
						apps.add(SpringApplication.run(PgdataImporterApplication.class, "--server.port=0",
								"--pgext.importer.s3.endpoint=" + endpointUri, "--pgext.importer.s3.bucket=bench",
								"--pgext.importer.s3.access-key=" + EmbeddedS3Server.ACCESS_KEY,
								"--pgext.importer.s3.secret-key=" + EmbeddedS3Server.SECRET_KEY,
								"--pgext.importer.job-concurrency=" + variant[1], "--pgext.importer.max-range=" + RANGE,
								"--pgext.importer.compression-level=" + level,
								"--pgext.importer.work-dir=" + root.resolve("work"),
								"--management.endpoints.web.exposure.include=health"));
					}
					// the first import of a JVM also warms the JIT up for the code it
					// runs (SDK uploads, the API, zstd): with -Dbench.imports=2 (the
					// default) each link runs two rounds, in each a download then an
					// import per level, and the second is the one to read
					int imports = Integer.getInteger("bench.imports", 2);
					for (int round = 1; round <= imports; round++) {
						for (int v = 0; v < variants.size(); v++) {
							int zstd = variants.get(v)[0];
							int jobs = variants.get(v)[1];
							int run = round;
							int port = ((WebServerApplicationContext) apps.get(v)).getWebServer().getPort();
							double load = load();
							cpu.lap();
							long[] plain = parallelDownload(endpoint, relationFiles, PLAIN_CONCURRENCY);
							CpuClock.Lap plainCpu = cpu.lap();
							log("[%s] plain parallel download (%d GETs at once) of the relation files: "
									+ "%.1f MiB in %.1f s = %.1f MiB/s", name, PLAIN_CONCURRENCY, plain[0] / 1048576.0,
									plain[1] / 1e9, mibps(plain));
							double[] awsCli = AWS_CLI ? awsCliDownload(endpointUri, root.resolve("aws-s3-cp")) : null;
							if (awsCli != null) {
								log("[%s] aws s3 cp --recursive (the AWS CLI's defaults: 10 requests at once, 8 MiB "
										+ "parts) of global/ and base/ into files: %.1f MiB in %.1f s = %.1f MiB/s, "
										+ "the CLI's own CPU %.1f s per GiB", name, awsCli[0] / 1048576.0, awsCli[1],
										awsCli[0] / 1048576.0 / awsCli[1], awsCli[2] / (awsCli[0] / (1 << 30)));
							}
							long up = proxy.bytesUp();
							long down = proxy.bytesDown();
							Imported imported = importOnce(port, store, cpu);
							CpuClock.Lap importCpu = imported.cpu();
							double seconds = imported.nanos() / 1e9;
							log("[%s] import %d of %d (zstd level %d, %d jobs at once): %.1f MiB of pages in %.1f s = %.1f MiB/s "
									+ "(%d jobs, layers %.1f MiB%s)", name, run, imports, zstd, jobs,
									imported.bytes() / 1048576.0, seconds, imported.bytes() / 1048576.0 / seconds,
									imported.jobs(), imported.layerBytes() / 1048576.0,
									direct ? ""
											: String.format("; through the proxy %.1f MiB down, %.1f MiB up",
													(proxy.bytesDown() - down) / 1048576.0,
													(proxy.bytesUp() - up) / 1048576.0));
							log("[%s] import / ranged GETs (4 at once, direct, at the start): %.2f", name,
									(imported.bytes() / seconds) / (raw[0] / (raw[1] / 1e9)));
							log("[%s] import / plain parallel download (wall): %.2f", name,
									(imported.bytes() / seconds) / (plain[0] / (plain[1] / 1e9)));
							if (awsCli != null) {
								log("[%s] import / aws s3 cp (wall): %.2f", name,
										(imported.bytes() / seconds) / (awsCli[0] / awsCli[1]));
							}
							log("[%s] CPU s per GiB, whole JVM: plain download %.1f, import %.1f (plain / import %.2f); "
									+ "the S3 server's part: %.1f / %.1f; the proxy's part: %.1f / %.1f; "
									+ "download client's threads %.2f, importer's threads (import-*) %.2f; "
									+ "collections (count, ms) during the download %d, %d, during the import %d, %d",
									name, plainCpu.perGiB(plain[0]), importCpu.perGiB(imported.bytes()),
									plainCpu.perGiB(plain[0]) / importCpu.perGiB(imported.bytes()),
									plainCpu.serverPerGiB(plain[0]), importCpu.serverPerGiB(imported.bytes()),
									plainCpu.proxyPerGiB(plain[0]), importCpu.proxyPerGiB(imported.bytes()),
									CpuClock.Lap.perGiB(plain[2], plain[0]), importCpu.importerPerGiB(imported.bytes()),
									plainCpu.gcCount(), plainCpu.gcMillis(), importCpu.gcCount(), importCpu.gcMillis());
							log("[%s] peak used heap during the import, sampled every 10 ms (importer, in-process "
									+ "s3proxy and the proxy, -Xmx %d MiB): %.1f MiB; load average %.1f before the "
									+ "download, %.1f after the import, on %d cores", name,
									Runtime.getRuntime().maxMemory() >> 20, imported.peakHeap() / 1048576.0, load,
									load(), Runtime.getRuntime().availableProcessors());
						}
					}
				}
				finally {
					apps.forEach(ConfigurableApplicationContext::close);
				}
			}
		}

	}

	/**
	 * {@code -Dbench.awscli=true}: each round also downloads the relation directories
	 * with the AWS CLI ({@code aws} on the path), into files, as a user copying the dump
	 * would.
	 */
	private static final boolean AWS_CLI = Boolean.getBoolean("bench.awscli");

	/**
	 * {@code aws s3 cp --recursive} of {@code global/} and {@code base/} from the bucket
	 * into {@code into} (emptied before and after); returns the bytes written, the
	 * seconds taken and the CLI's CPU seconds (user + system, from GNU time).
	 */
	private static double[] awsCliDownload(URI endpoint, Path into) throws Exception {
		Path aws = Executables.onPath("aws")
			.orElseThrow(() -> new IllegalStateException("-Dbench.awscli=true needs the AWS CLI (aws) on the PATH"));
		FileTrees.delete(into);
		Files.createDirectories(into);
		Path times = into.resolveSibling("aws-s3-cp.time");
		ProcessBuilder command = new ProcessBuilder("/usr/bin/time", "-f", "%U %S", "-o", times.toString(),
				aws.toString(), "s3", "cp", "--recursive", "--only-show-errors", "--endpoint-url", endpoint.toString(),
				"--exclude", "*", "--include", "global/*", "--include", "base/*", "s3://bench/dump/pgdata/",
				into.toString())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.INHERIT);
		command.environment().put("AWS_ACCESS_KEY_ID", EmbeddedS3Server.ACCESS_KEY);
		command.environment().put("AWS_SECRET_ACCESS_KEY", EmbeddedS3Server.SECRET_KEY);
		command.environment().put("AWS_DEFAULT_REGION", "us-east-1");
		long start = System.nanoTime();
		int exit = command.start().waitFor();
		double seconds = (System.nanoTime() - start) / 1e9;
		assertThat(exit).as("aws s3 cp").isZero();
		long bytes;
		try (java.util.stream.Stream<Path> files = Files.walk(into)) {
			bytes = files.filter(Files::isRegularFile).mapToLong(PgdataImportBenchmark::size).sum();
		}
		String[] cpu = Files.readString(times).strip().split("\\s+");
		FileTrees.delete(into);
		return new double[] { bytes, seconds, Double.parseDouble(cpu[0]) + Double.parseDouble(cpu[1]) };
	}

	private static S3ObjectStore store(URI endpoint) {
		return S3ObjectStore.create(
				ObjectStoreSettings.of(endpoint, "bench", EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY));
	}

	private static double mibps(long[] read) {
		return read[0] / 1048576.0 / (read[1] / 1e9);
	}

	private static double load() {
		return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
	}

	/**
	 * One import through the importer's HTTP API, to its end.
	 *
	 * @param bytes bytes of pages imported
	 * @param nanos wall time from the request to the final state
	 * @param jobs jobs of the plan
	 * @param layerBytes bytes of layers in the store
	 * @param peakHeap used heap, sampled every 10 ms
	 * @param cpu CPU time of the import
	 */
	private record Imported(long bytes, long nanos, int jobs, long layerBytes, long peakHeap, CpuClock.Lap cpu) {

	}

	private static Imported importOnce(int port, S3ObjectStore store, CpuClock cpu) throws Exception {
		String timeline = String.format("%032x", System.currentTimeMillis());
		System.gc();
		HeapPeak heap = HeapPeak.start(10);
		cpu.lap();
		long start = System.nanoTime();
		HttpClient http = HttpClient.newHttpClient();
		String base = "http://127.0.0.1:" + port + "/v1/tenants/" + TENANT + "/shards/0/timelines";
		HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"timeline_id\":\"" + timeline + "\","
					+ "\"import_pgdata\":{\"idempotency_key\":\"bench\",\"location\":{\"bucket\":\"bench\","
					+ "\"prefix\":\"dump\"}}}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(created.statusCode()).isEqualTo(201);
		JsonNode status;
		while (true) {
			status = JsonMapper.builder()
				.build()
				.readTree(http
					.send(HttpRequest.newBuilder(URI.create(base + "/" + timeline)).build(),
							HttpResponse.BodyHandlers.ofString())
					.body());
			if (!"in_progress".equals(status.path("state").asString())) {
				break;
			}
			Thread.sleep(500);
		}
		long nanos = System.nanoTime() - start;
		CpuClock.Lap importCpu = cpu.lap();
		long peak = heap.stop();
		assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
		long layerBytes = store.list("tenants/")
			.stream()
			.filter((o) -> o.key().contains(timeline + "/layers/"))
			.mapToLong((o) -> o.size())
			.sum();
		return new Imported(status.path("progress").path("bytes_total").asLong(), nanos,
				status.path("progress").path("jobs_total").asInt(), layerBytes, peak, importCpu);
	}

	/**
	 * Reads every relation file with ranged GETs of the importer's range size at its
	 * concurrency.
	 */
	private static long[] rawRead(S3ObjectStore store, List<String> files, Path pgdata) throws Exception {
		List<java.util.concurrent.Callable<InputStream>> reads = new ArrayList<>();
		for (String file : files) {
			long size = size(pgdata.resolve(file));
			for (long offset = 0; offset < size; offset += RANGE) {
				long from = offset;
				long length = Math.min(RANGE, size - offset);
				reads.add(() -> store.getRange("dump/pgdata/" + file, from, length).orElseThrow());
			}
		}
		return drain(reads, CONCURRENCY);
	}

	/**
	 * Downloads every file, {@code concurrency} GETs at once, discarding the bytes: in
	 * ranges of {@value #PLAIN_RANGE} bytes (as {@code aws s3 cp} splits large objects),
	 * or each file whole with {@code -Dbench.plainRange=0}.
	 */
	private static long[] parallelDownload(S3ObjectStore store, List<String> files, int concurrency) throws Exception {
		long range = Long.getLong("bench.plainRange", PLAIN_RANGE);
		List<java.util.concurrent.Callable<InputStream>> reads = new ArrayList<>();
		for (String file : files) {
			long size = store.head("dump/pgdata/" + file).orElseThrow().size();
			if (range <= 0 || size <= range) {
				reads.add(() -> store.get("dump/pgdata/" + file).orElseThrow());
				continue;
			}
			for (long offset = 0; offset < size; offset += range) {
				long from = offset;
				long length = Math.min(range, size - offset);
				reads.add(() -> store.getRange("dump/pgdata/" + file, from, length).orElseThrow());
			}
		}
		return drain(reads, concurrency);
	}

	/**
	 * Opens and reads every stream, {@code concurrency} at once; returns the bytes read,
	 * the nanoseconds taken and the CPU nanoseconds of the reading threads (the client's
	 * side, without the in-process server's).
	 */
	private static long[] drain(List<java.util.concurrent.Callable<InputStream>> opens, int concurrency)
			throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(concurrency);
		List<Future<Long>> reads = new ArrayList<>();
		AtomicLong clientCpu = new AtomicLong();
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		long start = System.nanoTime();
		for (java.util.concurrent.Callable<InputStream> open : opens) {
			reads.add(pool.submit(() -> {
				long cpu = threads.getCurrentThreadCpuTime();
				try (InputStream in = open.call()) {
					byte[] buffer = new byte[256 * 1024];
					long n = 0;
					int r;
					while ((r = in.read(buffer)) > 0) {
						n += r;
					}
					return n;
				}
				finally {
					clientCpu.addAndGet(threads.getCurrentThreadCpuTime() - cpu);
				}
			}));
		}
		long total = 0;
		for (Future<Long> read : reads) {
			total += read.get();
		}
		long elapsed = System.nanoTime() - start;
		pool.shutdown();
		return new long[] { total, elapsed, clientCpu.get() };
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/**
	 * CPU time of this JVM between laps, in total, on the in-process S3 server's threads
	 * (s3proxy's Jetty threads) and on the importer's own threads (its runs, jobs and
	 * read-ahead: {@code import-*}), each summed over the threads alive at each lap. What
	 * is left is the benchmark's own threads, the importer's HTTP API and the JVM's (GC,
	 * JIT compiler).
	 */
	private static final class CpuClock {

		private long process = processCpu();

		private long server = threadsCpu("S3Proxy");

		private long importer = threadsCpu("import-");

		private final ThrottlingProxy throttlingProxy;

		private long proxy;

		private long gcCount = gc(GarbageCollectorMXBean::getCollectionCount);

		private long gcMillis = gc(GarbageCollectorMXBean::getCollectionTime);

		CpuClock(ThrottlingProxy throttlingProxy) {
			this.throttlingProxy = throttlingProxy;
			this.proxy = throttlingProxy.cpuNanos();
		}

		Lap lap() {
			long p = processCpu();
			long s = threadsCpu("S3Proxy");
			long i = threadsCpu("import-");
			long x = this.throttlingProxy.cpuNanos();
			long gcs = gc(GarbageCollectorMXBean::getCollectionCount);
			long gcTime = gc(GarbageCollectorMXBean::getCollectionTime);
			Lap lap = new Lap(p - this.process, Math.max(0, s - this.server), Math.max(0, i - this.importer),
					Math.max(0, x - this.proxy), gcs - this.gcCount, gcTime - this.gcMillis);
			this.gcCount = gcs;
			this.gcMillis = gcTime;
			this.process = p;
			this.server = s;
			this.importer = i;
			this.proxy = x;
			return lap;
		}

		private static long gc(java.util.function.ToLongFunction<GarbageCollectorMXBean> value) {
			return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(value).sum();
		}

		private static long processCpu() {
			return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
				.getProcessCpuTime();
		}

		private static long threadsCpu(String namePrefix) {
			ThreadMXBean threads = ManagementFactory.getThreadMXBean();
			long total = 0;
			for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
				if (info != null && info.getThreadName().startsWith(namePrefix)) {
					total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
				}
			}
			return total;
		}

		record Lap(long processNanos, long serverNanos, long importerNanos, long proxyNanos, long gcCount,
				long gcMillis) {

			double perGiB(long bytes) {
				return perGiB(this.processNanos, bytes);
			}

			double serverPerGiB(long bytes) {
				return perGiB(this.serverNanos, bytes);
			}

			double importerPerGiB(long bytes) {
				return perGiB(this.importerNanos, bytes);
			}

			double proxyPerGiB(long bytes) {
				return perGiB(this.proxyNanos, bytes);
			}

			static double perGiB(long nanos, long bytes) {
				return nanos / 1e9 / (bytes / (double) (1L << 30));
			}

		}

	}

	private static void log(String format, Object... args) {
		System.out.println("BENCH " + String.format(format, args));
	}

}
