package dev.pgext.importer;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import dev.pgext.importer.plan.Manifest;
import dev.pgext.importer.plan.ManifestEntry;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.EmbeddedS3Server;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the time and the heap of listing a PGDATA of many small files go: the S3 listing
 * itself (against the in-process s3proxy on the local file system), streamed into the
 * importer's frozen manifest file, and the manifest read back and walked as the planner
 * does. With {@code -Dbench.source=synthetic} the listing is generated in the test
 * instead (no S3), which measures the importer's side alone for listings the in-process
 * server cannot serve in useful time. Not part of {@code verify}; run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl pgdata-importer -am test -Dtest=ListingBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dbench.objects=10000 [-Dbench.source=synthetic]
 * </pre>
 */
class ListingBenchmark {

	private static final String PREFIX = "many/pgdata/";

	@Test
	void listingAndFreezingManyObjects() throws Exception {
		int objects = Integer.getInteger("bench.objects", 10000);
		Path root = Path.of("target", "bench-listing-" + objects).toAbsolutePath();
		Path file = root.resolveSibling("bench-listing-" + objects + "-manifest.json");
		if ("synthetic".equals(System.getProperty("bench.source"))) {
			measure("synthetic listing", objects, file, (consumer) -> {
				for (int i = 0; i < objects; i++) {
					// zero-padded so that the generated order is path order
					consumer.accept(new ObjectInfo(PREFIX + String.format("base/5/%010d", 16384 + i), 8192,
							"0123456789abcdef0123456789abcdef", Instant.EPOCH));
				}
			});
			return;
		}
		try (EmbeddedS3Server s3 = EmbeddedS3Server.start(root, 0)) {
			S3ObjectStore store = S3ObjectStore.create(ObjectStoreSettings.of(s3.endpoint(), "listing",
					EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY));
			store.createBucketIfMissing();
			if (store.head(PREFIX + "base/5/" + (16384 + objects - 1)).isEmpty()) {
				long t0 = System.nanoTime();
				// one object through S3, the rest written straight into the store's
				// directory (as s3proxy's
				// file system store keeps them): putting 100,000 objects through S3 takes
				// about 17 minutes here
				byte[] page = new byte[8192];
				store.put(PREFIX + "base/5/16384", page, "application/octet-stream");
				Path directory = root.resolve("listing").resolve(PREFIX + "base/5");
				for (int i = 1; i < objects; i++) {
					Files.write(directory.resolve(Integer.toString(16384 + i)), page);
				}
				log("put %d objects: %.1f s", objects, (System.nanoTime() - t0) / 1e9);
			}
			measure("S3 listing (pages of 1000)", objects, file, (consumer) -> store.list(PREFIX, consumer));
		}
	}

	private static void measure(String source, int objects, Path file, Consumer<Consumer<ObjectInfo>> listing)
			throws Exception {
		long before = usedAfterGc();
		HeapPeak heap = HeapPeak.start(5);
		long t0 = System.nanoTime();
		Manifest.Writer writer = Manifest.writer(file);
		listing.accept((info) -> writer
			.add(new ManifestEntry(info.key().substring(PREFIX.length()), info.size(), info.etag())));
		Manifest manifest = writer.finish();
		long listedAt = System.nanoTime();
		Manifest read = Manifest.read(file);
		AtomicLong walked = new AtomicLong();
		read.files().forEach((entry) -> walked.incrementAndGet());
		long walkedAt = System.nanoTime();
		long peak = heap.stop();
		long retained = usedAfterGc() - before;
		assertThat(walked.get()).isEqualTo(objects);
		assertThat(read.digest()).isEqualTo(manifest.digest());
		log("%d objects, %s streamed into the manifest file: %.2f s; read back and walked: %.3f s "
				+ "(%d bytes of JSON, sha256 %s...); peak used heap %.1f MiB (whole JVM: s3proxy, client and importer, "
				+ "-Xmx %d MiB); retained after the listing %.2f MiB", objects, source, (listedAt - t0) / 1e9,
				(walkedAt - listedAt) / 1e9, Files.size(file), manifest.digest().hex().substring(0, 8),
				peak / 1048576.0, Runtime.getRuntime().maxMemory() >> 20, retained / 1048576.0);
		Files.delete(file);
	}

	private static long usedAfterGc() {
		System.gc();
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static void log(String format, Object... args) {
		System.out.println("BENCH " + String.format(format, args));
	}

}
