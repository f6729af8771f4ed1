package dev.pgext.importer;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.pgext.importer.plan.Manifest;
import dev.pgext.importer.plan.ManifestEntry;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.EmbeddedS3Server;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the time and the heap of listing a PGDATA of many small files go: the S3 listing itself
 * (against the in-process s3proxy on the local file system) and the importer's frozen manifest
 * built from it. Not part of {@code verify}; run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl pgdata-importer -am test -Dtest=ListingBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dbench.objects=10000
 * </pre>
 */
class ListingBenchmark {

	@Test
	void listingAndFreezingManyObjects() throws Exception {
		int objects = Integer.getInteger("bench.objects", 10000);
		Path root = Path.of("target", "bench-listing-" + objects).toAbsolutePath();
		try (EmbeddedS3Server s3 = EmbeddedS3Server.start(root, 0)) {
			S3ObjectStore store = S3ObjectStore.create(ObjectStoreSettings.of(s3.endpoint(), "listing",
					EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY));
			store.createBucketIfMissing();
			if (store.head("many/pgdata/base/5/" + (16384 + objects - 1)).isEmpty()) {
				long t0 = System.nanoTime();
				ExecutorService pool = Executors.newFixedThreadPool(16);
				List<Future<?>> puts = new ArrayList<>();
				byte[] page = new byte[8192];
				for (int i = 0; i < objects; i++) {
					String key = "many/pgdata/base/5/" + (16384 + i);
					puts.add(pool.submit(() -> store.put(key, page, "application/octet-stream")));
				}
				for (Future<?> put : puts) {
					put.get();
				}
				pool.shutdown();
				log("put %d objects: %.1f s", objects, (System.nanoTime() - t0) / 1e9);
			}
			System.gc();
			AtomicLong peak = new AtomicLong();
			AtomicBoolean sampling = new AtomicBoolean(true);
			Thread sampler = new Thread(() -> {
				while (sampling.get()) {
					peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
					try {
						Thread.sleep(5);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
			sampler.start();
			long t0 = System.nanoTime();
			List<ManifestEntry> listed = new ArrayList<>();
			store.list("many/pgdata/", (info) -> listed.add(
					new ManifestEntry(info.key().substring("many/pgdata/".length()), info.size(), info.etag())));
			long listedAt = System.nanoTime();
			Manifest manifest = Manifest.of(listed);
			byte[] json = manifest.toJson();
			String digest = manifest.digest().hex();
			int paths = manifest.byPath().size();
			long frozenAt = System.nanoTime();
			sampling.set(false);
			sampler.join();
			assertThat(paths).isEqualTo(objects);
			log("%d objects: S3 listing %.2f s (%d pages of 1000), manifest %.3f s (%d bytes of JSON, sha256 %s...), "
					+ "peak used heap %.1f MiB (whole JVM: s3proxy, client and importer)", objects,
					(listedAt - t0) / 1e9, (objects + 999) / 1000, (frozenAt - listedAt) / 1e9, json.length,
					digest.substring(0, 8), peak.get() / 1048576.0);
		}
	}

	private static void log(String format, Object... args) {
		System.out.println("BENCH " + String.format(format, args));
	}

}
