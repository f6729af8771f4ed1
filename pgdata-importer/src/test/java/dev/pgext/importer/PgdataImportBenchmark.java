package dev.pgext.importer;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
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

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.EmbeddedS3Server;
import dev.pgext.testsupport.PostgresCluster;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Import throughput against the raw S3 read throughput of the same bytes, and peak heap,
 * for a PGDATA of more than 1 GiB. Not part of {@code verify} (the name matches no
 * surefire include); run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl pgdata-importer test -Dtest=PgdataImportBenchmark -Dsurefire.failIfNoSpecifiedTests=false -DargLine=-Xmx512m
 * </pre>
 */
class PgdataImportBenchmark {

	private static final String TENANT = "0123456789abcdef0123456789abcdef";

	private static final int CONCURRENCY = 4;

	private static final long RANGE = 4L << 20;

	/**
	 * What a user downloading the files would pick: many whole-object GETs at once, no
	 * ranges.
	 */
	private static final int PLAIN_CONCURRENCY = 16;

	@Test
	void importThroughputAgainstRawReads() throws Exception {
		Path root = Path.of("target", "bench").toAbsolutePath();
		Path pgdata = root.resolve("pgdata");
		if (!Files.exists(pgdata.resolve("global/pg_control"))) {
			PgdataFixture.deleteTree(root);
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
		int zstd = Integer.getInteger("bench.zstd", 1);
		try (EmbeddedS3Server s3 = EmbeddedS3Server.start(s3dir, 0)) {
			ObjectStoreSettings settings = ObjectStoreSettings.of(s3.endpoint(), "bench", EmbeddedS3Server.ACCESS_KEY,
					EmbeddedS3Server.SECRET_KEY);
			S3ObjectStore store = S3ObjectStore.create(settings);
			store.createBucketIfMissing();
			if (store.head("dump/status/pgdata").isEmpty()) {
				long t0 = System.nanoTime();
				PgdataFixture.upload(store, "dump", pgdata, null);
				log("upload: %.1f s", (System.nanoTime() - t0) / 1e9);
			}

			List<String> relationFiles = PgdataFixture.files(pgdata)
				.stream()
				.filter((f) -> f.matches("(global|base/[0-9]+)/[0-9]+(_fsm|_vm|_init)?(\\.[0-9]+)?"))
				.toList();
			long relationBytes = relationFiles.stream().mapToLong((f) -> size(pgdata.resolve(f))).sum();
			CpuClock cpu = new CpuClock();
			long[] raw = rawRead(store, relationFiles, pgdata);
			double rawSeconds = raw[1] / 1e9;
			log("raw ranged GETs of the relation files: %.1f MiB in %.1f s = %.1f MiB/s", raw[0] / 1048576.0,
					rawSeconds, raw[0] / 1048576.0 / rawSeconds);
			CpuClock.Lap rawCpu = cpu.lap();
			long[] plain = parallelDownload(store, relationFiles, PLAIN_CONCURRENCY);
			double plainSeconds = plain[1] / 1e9;
			CpuClock.Lap plainCpu = cpu.lap();
			log("plain parallel download (%d full GETs at once) of the relation files: %.1f MiB in %.1f s = %.1f MiB/s",
					PLAIN_CONCURRENCY, plain[0] / 1048576.0, plainSeconds, plain[0] / 1048576.0 / plainSeconds);

			ConfigurableApplicationContext app = SpringApplication.run(PgdataImporterApplication.class,
					"--server.port=0", "--pgext.importer.s3.endpoint=" + s3.endpoint(),
					"--pgext.importer.s3.bucket=bench", "--pgext.importer.s3.access-key=" + EmbeddedS3Server.ACCESS_KEY,
					"--pgext.importer.s3.secret-key=" + EmbeddedS3Server.SECRET_KEY,
					"--pgext.importer.job-concurrency=" + CONCURRENCY, "--pgext.importer.max-range=" + RANGE,
					"--pgext.importer.compression-level=" + zstd, "--pgext.importer.work-dir=" + root.resolve("work"),
					"--management.endpoints.web.exposure.include=health");
			try {
				int port = ((WebServerApplicationContext) app).getWebServer().getPort();
				// the first import also warms the JIT up for the code it runs (SDK
				// uploads, the API, zstd):
				// with -Dbench.imports=2 (the default) the second import of the same
				// files is the one compared
				int imports = Integer.getInteger("bench.imports", 2);
				for (int run = 1; run <= imports; run++) {
					if (run > 1) {
						// the download again, right before the import it is compared
						// with, so that both see the same load
						cpu.lap();
						plain = parallelDownload(store, relationFiles, PLAIN_CONCURRENCY);
						plainSeconds = plain[1] / 1e9;
						plainCpu = cpu.lap();
						log("plain parallel download again: %.1f MiB in %.1f s = %.1f MiB/s", plain[0] / 1048576.0,
								plainSeconds, plain[0] / 1048576.0 / plainSeconds);
					}
					String timeline = String.format("%032x", System.currentTimeMillis());
					System.gc();
					java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
					java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(
							true);
					Thread sampler = new Thread(() -> {
						while (sampling.get()) {
							peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
									Math::max);
							try {
								Thread.sleep(10);
							}
							catch (InterruptedException ex) {
								return;
							}
						}
					});
					sampler.start();
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
					double seconds = (System.nanoTime() - start) / 1e9;
					CpuClock.Lap importCpu = cpu.lap();
					sampling.set(false);
					sampler.join();
					long peakHeap = peak.get();
					assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("done");
					long imported = status.path("progress").path("bytes_total").asLong();
					long layerBytes = store.list("tenants/")
						.stream()
						.filter((o) -> o.key().contains(timeline + "/layers/"))
						.mapToLong((o) -> o.size())
						.sum();
					log("import %d of %d (zstd level %d): %.1f MiB of pages in %.1f s = %.1f MiB/s (%d jobs, layers %.1f MiB)",
							run, imports, zstd, imported / 1048576.0, seconds, imported / 1048576.0 / seconds,
							status.path("progress").path("jobs_total").asInt(), layerBytes / 1048576.0);
					log("import / raw read throughput: %.2f", (imported / seconds) / (raw[0] / rawSeconds));
					log("import / plain parallel download throughput: %.2f",
							(imported / seconds) / (plain[0] / plainSeconds));
					log("CPU of this JVM per GiB of relation files (all threads / of them the in-process S3 server's): "
							+ "ranged GETs %.1f / %.1f s, plain download %.1f / %.1f s, import %.1f / %.1f s; "
							+ "machine load average %.1f on %d cores", rawCpu.perGiB(raw[0]),
							rawCpu.serverPerGiB(raw[0]), plainCpu.perGiB(plain[0]), plainCpu.serverPerGiB(plain[0]),
							importCpu.perGiB(imported), importCpu.serverPerGiB(imported),
							ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
							Runtime.getRuntime().availableProcessors());
					log("CPU s per GiB on the client's own threads: plain download's reading threads %.2f, "
							+ "importer's threads (import-*) %.2f; importer / download client %.2f",
							CpuClock.Lap.perGiB(plain[2], plain[0]), importCpu.importerPerGiB(imported),
							importCpu.importerPerGiB(imported) / CpuClock.Lap.perGiB(plain[2], plain[0]));
					log("CPU s per GiB, whole JVM: import / plain download %.2f (plain / import %.2f)",
							importCpu.perGiB(imported) / plainCpu.perGiB(plain[0]),
							plainCpu.perGiB(plain[0]) / importCpu.perGiB(imported));
					log("peak used heap during the import, sampled every 10 ms (importer and in-process s3proxy, -Xmx %d MiB): %.1f MiB",
							Runtime.getRuntime().maxMemory() >> 20, peakHeap / 1048576.0);
				}
				assertThat(relationBytes).isGreaterThan(1L << 30);
			}
			finally {
				app.close();
			}
		}
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

	/** Downloads every file whole, {@code concurrency} at once, discarding the bytes. */
	private static long[] parallelDownload(S3ObjectStore store, List<String> files, int concurrency) throws Exception {
		List<java.util.concurrent.Callable<InputStream>> reads = new ArrayList<>();
		for (String file : files) {
			reads.add(() -> store.get("dump/pgdata/" + file).orElseThrow());
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
		java.util.concurrent.atomic.AtomicLong clientCpu = new java.util.concurrent.atomic.AtomicLong();
		java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
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

		Lap lap() {
			long p = processCpu();
			long s = threadsCpu("S3Proxy");
			long i = threadsCpu("import-");
			Lap lap = new Lap(p - this.process, Math.max(0, s - this.server), Math.max(0, i - this.importer));
			this.process = p;
			this.server = s;
			this.importer = i;
			return lap;
		}

		private static long processCpu() {
			return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
				.getProcessCpuTime();
		}

		private static long threadsCpu(String namePrefix) {
			java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
			long total = 0;
			for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
				if (info != null && info.getThreadName().startsWith(namePrefix)) {
					total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
				}
			}
			return total;
		}

		record Lap(long processNanos, long serverNanos, long importerNanos) {

			double perGiB(long bytes) {
				return perGiB(this.processNanos, bytes);
			}

			double serverPerGiB(long bytes) {
				return perGiB(this.serverNanos, bytes);
			}

			double importerPerGiB(long bytes) {
				return perGiB(this.importerNanos, bytes);
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
