package dev.pgext.loader.fetch;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.loader.FaultyS3Proxy;
import dev.pgext.loader.TestStores;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.ChildJvm;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Files reach an installation whole and verified, or not at all: through a failing
 * endpoint, from a warm node cache, with a corrupted blob, and across a loader killed
 * mid-download.
 */
@RealInfrastructure
class FilePlacerIntegrationTests {

	private static final List<String> EXTENSIONS = List.of("hstore", "pg_trgm", "cube", "earthdistance");

	static TestBucket bucket;

	static ExtIndex index;

	@BeforeAll
	static void store(TestBucket testBucket) {
		bucket = testBucket;
		index = TestStores.publish(bucket.objectStore(), Scope.PUBLIC, EXTENSIONS);
	}

	@Test
	void everyFileArrivesWholeThroughAnEndpointThatFailsOrCutsOffTwoConnectionsInThree(@TempDir Path dir)
			throws IOException {
		try (FaultyS3Proxy proxy = FaultyS3Proxy.flaky(bucket.endpoint())) {
			PostgresInstall install = TestStores.emptyInstall(dir);
			FilePlacer placer = placer(proxy.endpoint(), null, new SimpleMeterRegistry());
			placeAll(placer, install);
			assertThat(proxy.injectedFaults()).isPositive();
			for (ExtFile file : allFiles()) {
				assertThat(FilePlacement.hasContent(install.resolve(file.path()), file)).as(file.path()).isTrue();
			}
			assertThat(TestStores.partFiles(install)).isEmpty();
		}
	}

	/**
	 * A store that sends a file's headers and then a byte every 100 ms never stalls long
	 * enough for the client's socket timeout: the read timeout gives the body up, every
	 * attempt, and the placement fails as unavailable with nothing left behind.
	 */
	@Test
	void aFileWhoseBodyTricklesIsGivenUpAtTheReadTimeout(@TempDir Path dir) throws IOException {
		try (FaultyS3Proxy proxy = FaultyS3Proxy.trickling(bucket.endpoint(), (path) -> path.contains("/blobs/"),
				Duration.ofMillis(100))) {
			PostgresInstall install = TestStores.emptyInstall(dir);
			ExtFile file = largestFile();
			FilePlacer placer = new FilePlacer(trickledSource(proxy).withReadTimeout(Duration.ofMillis(400)), null,
					null, FilePlacer.retry(2, Duration.ofMillis(20)), new SimpleMeterRegistry());
			// without a bound the body would take 100 ms per byte, every attempt
			org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofMinutes(1),
					() -> assertThatExceptionOfType(FetchException.class)
						.isThrownBy(() -> placer.place(file, install.resolve(file.path()), () -> false))
						.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.UNAVAILABLE))
						.withMessageContaining("pgext.loader.s3-read-timeout"));
			assertThat(proxy.countUnder("GET", "/" + bucket.name() + "/blobs/")).isEqualTo(2);
			assertThat(install.resolve(file.path())).doesNotExist();
			assertThat(TestStores.partFiles(install)).isEmpty();
		}
	}

	/**
	 * A blob longer than the index says is cut off after one byte too many; its
	 * connection is then given up, not read to the end for reuse, so a long or endless
	 * body does not hold the placement.
	 */
	@Test
	void aBodyLongerThanTheIndexSaysIsGivenUpWithoutReadingItToTheEnd(@TempDir Path dir) throws IOException {
		try (FaultyS3Proxy proxy = FaultyS3Proxy.trickling(bucket.endpoint(), (path) -> path.contains("/blobs/"),
				Duration.ofMillis(100))) {
			PostgresInstall install = TestStores.emptyInstall(dir);
			ExtFile real = largestFile();
			ExtFile shorter = new ExtFile(real.path(), real.sha256(), 1);
			FilePlacer placer = new FilePlacer(trickledSource(proxy), null, null,
					FilePlacer.retry(2, Duration.ofMillis(20)), new SimpleMeterRegistry());
			org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofMinutes(1),
					() -> assertThatExceptionOfType(FetchException.class)
						.isThrownBy(() -> placer.place(shorter, install.resolve(shorter.path()), () -> false))
						.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.DIGEST_MISMATCH)));
			assertThat(install.resolve(real.path())).doesNotExist();
			assertThat(TestStores.partFiles(install)).isEmpty();
		}
	}

	/**
	 * An index whose body trickles fails its read with the reason once the read timeout
	 * has passed, instead of holding the start.
	 */
	@Test
	void anIndexWhoseBodyTricklesFailsAtTheReadTimeout() {
		try (FaultyS3Proxy proxy = FaultyS3Proxy.trickling(bucket.endpoint(),
				(path) -> path.endsWith("/ext_index.json"), Duration.ofMillis(100))) {
			S3ExtensionSource source = trickledSource(proxy).withReadTimeout(Duration.ofMillis(400));
			org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofMinutes(1),
					() -> assertThatExceptionOfType(FetchException.class)
						.isThrownBy(() -> source.index(index.pgMajor(), null))
						.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.UNAVAILABLE))
						.withMessageContaining("ext_index.json")
						.withMessageContaining("pgext.loader.s3-read-timeout"));
		}
	}

	private static S3ExtensionSource trickledSource(FaultyS3Proxy proxy) {
		return new S3ExtensionSource(S3ObjectStore.create(new ObjectStoreSettings(proxy.endpoint(), null, bucket.name(),
				bucket.accessKey(), bucket.secretKey(), null, 1, Duration.ofMillis(20), null)));
	}

	private static ExtFile largestFile() {
		ExtFile largest = allFiles().stream().max(java.util.Comparator.comparingLong(ExtFile::size)).orElseThrow();
		assertThat(largest.size()).as("a body that takes over a minute at a byte every 100 ms").isGreaterThan(600);
		return largest;
	}

	@Test
	void aSecondPlacementWithAWarmCacheMakesNoBlobRequest(@TempDir Path dir) throws IOException {
		try (FaultyS3Proxy proxy = FaultyS3Proxy.counting(bucket.endpoint())) {
			Path cache = dir.resolve("cache");
			int firstRun = warmCache(proxy, cache, dir);
			assertThat(firstRun).isEqualTo(distinctBlobs().size());

			SimpleMeterRegistry meters = placeAllThrough(proxy, cache, dir.resolve("second"));
			assertThat(blobGets(proxy)).isEqualTo(firstRun);
			assertThat(meters.counter("pgext.loader.cache.hits").count()).isEqualTo(allFiles().size());
		}
	}

	/**
	 * Blobs enter the cache without fsync: after the machine went down one may be empty
	 * or hold other bytes under its name. The next placement finds it out, downloads it
	 * again and places the right content.
	 */
	@Test
	void aCachedBlobThatLostItsContentIsDownloadedAgain(@TempDir Path dir) throws IOException {
		try (FaultyS3Proxy proxy = FaultyS3Proxy.counting(bucket.endpoint())) {
			Path cache = dir.resolve("cache");
			int firstRun = warmCache(proxy, cache, dir);
			List<ExtFile> distinct = distinctBlobs().stream().filter((file) -> file.size() > 0).limit(2).toList();
			Path emptied = cache.resolve("sha256").resolve(distinct.get(0).sha256().hex());
			Path zeroed = cache.resolve("sha256").resolve(distinct.get(1).sha256().hex());
			Files.write(emptied, new byte[0]);
			Files.write(zeroed, new byte[(int) distinct.get(1).size()]);

			SimpleMeterRegistry meters = placeAllThrough(proxy, cache, dir.resolve("second"));
			assertThat(blobGets(proxy)).isEqualTo(firstRun + 2);
			assertThat(meters.counter("pgext.loader.cache.hits").count()).isEqualTo(allFiles().size() - 2);
			assertThat(FilePlacement.hasContent(emptied, distinct.get(0))).isTrue();
			assertThat(FilePlacement.hasContent(zeroed, distinct.get(1))).isTrue();
		}
	}

	@Test
	void aBoundedCacheEvictsTheBlobsOfOtherComputesButNeverOneThisLoaderPlaced(@TempDir Path dir) throws IOException {
		Path cache = dir.resolve("cache");
		long placedBytes = distinctBlobs().stream().mapToLong(ExtFile::size).sum();
		// left by another compute of the node, used long ago
		byte[] foreign = new byte[4096];
		Sha256Digest foreignDigest = Sha256Digest.of(foreign);
		Path foreignBlob = Files.createDirectories(cache.resolve("sha256")).resolve(foreignDigest.hex());
		Files.write(foreignBlob, foreign);
		Files.setLastModifiedTime(foreignBlob, FileTime.fromMillis(0));

		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		NodeCache bounded = new NodeCache(cache, placedBytes + 1024, meters);
		PostgresInstall install = TestStores.emptyInstall(dir.resolve("install"));
		FilePlacer placer = FilePlacer.cached(new S3ExtensionSource(bucket.objectStore()), bounded, null,
				FilePlacer.retry(3, Duration.ofMillis(20)), meters);
		placeAll(placer, install);

		assertThat(foreignBlob).doesNotExist();
		assertThat(meters.counter("pgext.loader.cache.evictions").count()).isEqualTo(1);
		for (ExtFile file : allFiles()) {
			assertThat(bounded.contains(file.sha256())).as(file.path()).isTrue();
			assertThat(FilePlacement.hasContent(install.resolve(file.path()), file)).as(file.path()).isTrue();
		}
		assertThat(meters.get("pgext.loader.cache.bytes").gauge().value()).isEqualTo(placedBytes);
	}

	@Test
	void aBlobWithTheWrongContentIsRefusedAndNeverPlaced(@TempDir Path dir) {
		byte[] promised = "the content the index promises\n".getBytes(StandardCharsets.UTF_8);
		byte[] stored = "what a broken upload left there\n".getBytes(StandardCharsets.UTF_8);
		ExtFile file = new ExtFile("lib/broken.so", Sha256Digest.of(promised), promised.length);
		bucket.objectStore().put(StoreLayout.blob(file.sha256()), stored, "application/octet-stream");
		PostgresInstall install = TestStores.emptyInstall(dir);
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		FilePlacer placer = placer(bucket.endpoint(), null, meters);

		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> placer.place(file, install.resolve(file.path()), () -> false))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.DIGEST_MISMATCH))
			.withMessageContaining("refused");
		assertThat(install.resolve(file.path())).doesNotExist();
		assertThat(TestStores.partFiles(install)).isEmpty();
		assertThat(meters.counter("pgext.loader.download.failures", "reason", "digest-mismatch").count()).isEqualTo(1);
	}

	@Test
	void filesPlacedSideBySideGetTheirNamesOnlyOnceEveryOneIsVerified(@TempDir Path dir) throws Exception {
		byte[] promised = "the library the index promises\n".getBytes(StandardCharsets.UTF_8);
		byte[] stored = "a library someone swapped in\n".getBytes(StandardCharsets.UTF_8);
		ExtFile broken = new ExtFile("lib/swapped.so", Sha256Digest.of(promised), promised.length);
		bucket.objectStore().put(StoreLayout.blob(broken.sha256()), stored, "application/octet-stream");
		List<ExtFile> files = new ArrayList<>(index.find("hstore").orElseThrow().files());
		files.add(broken);
		PostgresInstall install = TestStores.emptyInstall(dir);
		ExecutorService parallel = Executors.newFixedThreadPool(4);
		try {
			FilePlacer placer = placer(bucket.endpoint(), null, new SimpleMeterRegistry());
			assertThatExceptionOfType(FetchException.class)
				.isThrownBy(() -> placer.placeAll(files, install::resolve, () -> false, parallel))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.DIGEST_MISMATCH));
			for (ExtFile file : files) {
				assertThat(install.resolve(file.path())).as(file.path()).doesNotExist();
			}
			assertThat(TestStores.partFiles(install)).isEmpty();

			files.remove(broken);
			placer.placeAll(files, install::resolve, () -> false, parallel);
			for (ExtFile file : files) {
				assertThat(FilePlacement.hasContent(install.resolve(file.path()), file)).as(file.path()).isTrue();
			}
			assertThat(TestStores.partFiles(install)).isEmpty();
		}
		finally {
			parallel.shutdownNow();
		}
	}

	@Test
	void aLoaderKilledMidDownloadLeavesNoPartialFileInPlaceAndAFreshRunCompletes(@TempDir Path dir) throws Exception {
		killMidDownloadThenPlaceAgain(dir, "one-by-one");
	}

	@Test
	void aLoaderKilledWhilePlacingFilesSideBySideLeavesOnlyPartFilesAndAFreshRunCompletes(@TempDir Path dir)
			throws Exception {
		killMidDownloadThenPlaceAgain(dir, "side-by-side");
	}

	private static void killMidDownloadThenPlaceAgain(Path dir, String mode) throws Exception {
		PostgresInstall install = TestStores.emptyInstall(dir);
		List<String> command = new ArrayList<>(ChildJvm.command());
		command.addAll(List.of(SlowLoaderMain.class.getName(), bucket.endpoint().toString(), bucket.name(),
				bucket.accessKey(), bucket.secretKey(), install.root().toString(), mode));
		Process child = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(dir.resolve("child.log").toFile())
			.start();
		try {
			Awaitility.await("a download in progress")
				.atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> !TestStores.partFiles(install).isEmpty() || !child.isAlive());
			assertThat(TestStores.partFiles(install)).as("a download in progress").isNotEmpty();
		}
		finally {
			// SIGKILL: no finally block, no shutdown hook of the child runs
			child.destroyForcibly().waitFor();
		}
		for (ExtFile file : allFiles()) {
			Path target = install.resolve(file.path());
			if (Files.exists(target)) {
				assertThat(FilePlacement.hasContent(target, file)).as("placed before the kill: " + file.path())
					.isTrue();
			}
		}

		int leftovers = FilePlacement.removeLeftovers(install.extensionDir())
				+ FilePlacement.removeLeftovers(install.pkglibdir());
		assertThat(leftovers).isPositive();
		placeAll(placer(bucket.endpoint(), null, new SimpleMeterRegistry()), install);
		for (ExtFile file : allFiles()) {
			assertThat(FilePlacement.hasContent(install.resolve(file.path()), file)).as(file.path()).isTrue();
		}
		assertThat(TestStores.partFiles(install)).isEmpty();
	}

	private static FilePlacer placer(URI endpoint, Path cache, SimpleMeterRegistry meters) {
		ObjectStoreSettings settings = new ObjectStoreSettings(endpoint, null, bucket.name(), bucket.accessKey(),
				bucket.secretKey(), null, 6, Duration.ofMillis(20), null);
		return new FilePlacer(new S3ExtensionSource(S3ObjectStore.create(settings)), cache, null,
				FilePlacer.retry(6, Duration.ofMillis(20)), meters);
	}

	/**
	 * Places every file into a new installation at {@code dir} through {@code proxy} and
	 * the node cache at {@code cache}, and checks each is in place.
	 * @return the placer's meters
	 */
	private static SimpleMeterRegistry placeAllThrough(FaultyS3Proxy proxy, Path cache, Path dir) throws IOException {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		PostgresInstall install = TestStores.emptyInstall(dir);
		placeAll(placer(proxy.endpoint(), cache, meters), install);
		for (ExtFile file : allFiles()) {
			assertThat(FilePlacement.hasContent(install.resolve(file.path()), file)).as(file.path()).isTrue();
		}
		return meters;
	}

	/**
	 * Places every file through {@code proxy} into a new installation under {@code dir},
	 * filling the node cache at {@code cache}.
	 * @return how many blobs that took
	 */
	private static int warmCache(FaultyS3Proxy proxy, Path cache, Path dir) throws IOException {
		placeAllThrough(proxy, cache, dir.resolve("first"));
		return blobGets(proxy);
	}

	/** How many blobs {@code proxy} has let through. */
	private static int blobGets(FaultyS3Proxy proxy) {
		return proxy.countUnder("GET", "/" + bucket.name() + "/blobs/");
	}

	private static void placeAll(FilePlacer placer, PostgresInstall install) {
		for (ExtFile file : allFiles()) {
			placer.place(file, install.resolve(file.path()), () -> false);
		}
	}

	/** The files of {@link #allFiles()} with distinct content, the first of each. */
	private static List<ExtFile> distinctBlobs() {
		Map<Sha256Digest, ExtFile> byDigest = new LinkedHashMap<>();
		allFiles().forEach((file) -> byDigest.putIfAbsent(file.sha256(), file));
		return List.copyOf(byDigest.values());
	}

	private static List<ExtFile> allFiles() {
		List<ExtFile> files = new ArrayList<>();
		for (ExtIndexEntry entry : index.extensions()) {
			files.addAll(entry.files());
		}
		return files;
	}

}
