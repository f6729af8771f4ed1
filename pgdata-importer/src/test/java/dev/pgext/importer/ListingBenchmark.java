package dev.pgext.importer;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * (against the in-process s3proxy on the local file system), streamed into the importer's frozen
 * manifest file, and the manifest read back and walked as the planner does. Not part of {@code verify}; run it on purpose:
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
				// one object through S3, the rest written straight into the store's directory (as s3proxy's
				// file system store keeps them): putting 100,000 objects through S3 takes about 17 minutes here
				byte[] page = new byte[8192];
				store.put("many/pgdata/base/5/16384", page, "application/octet-stream");
				Path directory = root.resolve("listing").resolve("many/pgdata/base/5");
				for (int i = 1; i < objects; i++) {
					Files.write(directory.resolve(Integer.toString(16384 + i)), page);
				}
				log("put %d objects: %.1f s", objects, (System.nanoTime() - t0) / 1e9);
			}
			System.gc();
			long before = usedAfterGc();
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
			Path file = root.resolveSibling("bench-listing-" + objects + "-manifest.json");
			Manifest.Writer writer = Manifest.writer(file);
			store.list("many/pgdata/", (info) -> writer.add(
					new ManifestEntry(info.key().substring("many/pgdata/".length()), info.size(), info.etag())));
			Manifest manifest = writer.finish(null);
			long listedAt = System.nanoTime();
			Manifest read = Manifest.read(file);
			AtomicLong walked = new AtomicLong();
			read.files().forEach((entry) -> walked.incrementAndGet());
			long walkedAt = System.nanoTime();
			sampling.set(false);
			sampler.join();
			long retained = usedAfterGc() - before;
			assertThat(walked.get()).isEqualTo(objects);
			assertThat(read.digest()).isEqualTo(manifest.digest());
			log("%d objects: S3 listing streamed into the manifest file %.2f s (%d pages of 1000), read back and walked %.3f s "
					+ "(%d bytes of JSON, sha256 %s...), peak used heap %.1f MiB (whole JVM: s3proxy, client and importer), "
					+ "retained after the listing %.2f MiB", objects, (listedAt - t0) / 1e9, (objects + 999) / 1000,
					(walkedAt - listedAt) / 1e9, Files.size(file), manifest.digest().hex().substring(0, 8),
					peak.get() / 1048576.0, retained / 1048576.0);
			Files.delete(file);
		}
	}

	private static long usedAfterGc() {
		System.gc();
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static void log(String format, Object... args) {
		System.out.println("BENCH " + String.format(format, args));
	}

}
