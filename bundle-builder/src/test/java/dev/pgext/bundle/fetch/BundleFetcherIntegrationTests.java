package dev.pgext.bundle.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.bundle.archive.CraftedArchives;
import dev.pgext.bundle.build.BundleBuilder;
import dev.pgext.bundle.build.TestBundles;
import dev.pgext.bundle.publish.BundlePublisher;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link BundleFetcher} against the real (in-process) S3: the pinned bundle is
 * placed whole, anything else is refused and nothing is left behind.
 */
@RealInfrastructure
class BundleFetcherIntegrationTests {

	@TempDir
	Path temp;

	private final BundleBuilder.Result bundle = TestBundles.twoMajors();

	private S3ObjectStore stored(TestBucket bucket) {
		S3ObjectStore store = bucket.objectStore();
		String key = StoreLayout.bundle(this.bundle.sha256());
		if (store.head(key).isEmpty()) {
			store.putIfAbsent(key, this.bundle.file(), BundlePublisher.CONTENT_TYPE);
		}
		return store;
	}

	@Test
	void thePinnedBundleIsPlacedCompleteAndChecked(TestBucket bucket) throws IOException {
		Path pinFile = Files.writeString(this.temp.resolve("pin.json"),
				"{\"sha256\":\"" + this.bundle.sha256().hex() + "\",\"pg_versions\":[\"17\",\"15\"]}");
		Path into = this.temp.resolve("node/bundle");

		BundleManifest manifest = new BundleFetcher(stored(bucket)).fetch(Pin.read(pinFile), into);

		assertThat(manifest.pgVersions()).containsEntry("15", "15.19").containsEntry("17", "17.11");
		assertThat(into.resolve("LAUNCHER")).isExecutable();
		assertThat(BundleTree.problems(into, BundleJson.readManifest(into.resolve("bundle.json")))).isEmpty();
		try (var siblings = Files.list(into.getParent())) {
			assertThat(siblings).as("no temporary files left").containsExactly(into);
		}
	}

	@Test
	void contentThatIsNotThePinnedDigestIsRefused(TestBucket bucket) throws IOException {
		S3ObjectStore store = bucket.objectStore();
		Sha256Digest pinned = Sha256Digest.of("some other bundle".getBytes());
		store.put(StoreLayout.bundle(pinned), this.bundle.file(), BundlePublisher.CONTENT_TYPE);
		Path into = this.temp.resolve("node/bundle");

		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> new BundleFetcher(store).fetch(new Pin(pinned, List.of("15", "17")), into))
			.withMessageContaining("its content has sha256 " + this.bundle.sha256())
			.withMessageContaining("the pin says " + pinned);
		assertNothingPlaced(into);
	}

	@Test
	void aBundleWithATamperedFileIsRefusedEvenWhenItsDigestIsPinned(TestBucket bucket) throws IOException {
		Path tree = TestBundles.twoMajorsTree(this.temp.resolve("tree"));
		TestBundles.replace(tree.resolve("v17/share/postgresql/postgres.bki"), "-- tampered\n");
		Path tampered = TestBundles.repack(tree, this.temp.resolve("tampered.tar.zst"), (m) -> m);
		Sha256Digest digest = Sha256Digest.of(tampered);
		S3ObjectStore store = bucket.objectStore();
		store.put(StoreLayout.bundle(digest), tampered, BundlePublisher.CONTENT_TYPE);
		Path into = this.temp.resolve("node/bundle");

		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> new BundleFetcher(store).fetch(new Pin(digest, List.of("15", "17")), into))
			.withMessageContaining("does not match its bundle.json")
			.withMessageContaining("content differs: v17/share/postgresql/postgres.bki");
		assertNothingPlaced(into);
	}

	@Test
	void aPinnedHostileArchiveIsRefusedWithoutTouchingAnythingOutsideTheTarget(TestBucket bucket) throws IOException {
		CraftedArchives.Sentinel outside = CraftedArchives.Sentinel.create(this.temp.resolve("outside"));
		Path hostile = CraftedArchives.withManifest()
			.linkLoopTo(outside.dir())
			.writeTo(this.temp.resolve("hostile.tar.zst"));
		Sha256Digest digest = Sha256Digest.of(hostile);
		S3ObjectStore store = bucket.objectStore();
		store.put(StoreLayout.bundle(digest), hostile, BundlePublisher.CONTENT_TYPE);
		Path into = this.temp.resolve("node/bundle");

		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> new BundleFetcher(store).fetch(new Pin(digest, List.of("15")), into))
			.withMessageContaining("lies under the symbolic link p of the archive");

		assertThat(outside.content()).as("nothing created outside").containsExactly("kept");
		assertThat(outside.currentMode()).as("the mode of the directory outside").isEqualTo(outside.mode());
		assertNothingPlaced(into);
	}

	@Test
	void aBundleWithOtherMajorsThanPinnedIsRefused(TestBucket bucket) throws IOException {
		Path into = this.temp.resolve("node/bundle");
		assertThatExceptionOfType(FetchException.class).isThrownBy(
				() -> new BundleFetcher(stored(bucket)).fetch(new Pin(this.bundle.sha256(), List.of("15", "16")), into))
			.withMessageContaining("holds PG [15, 17], the pin says [15, 16]");
		assertNothingPlaced(into);
	}

	@Test
	void aMissingBundleIsReportedByDigest(TestBucket bucket) throws IOException {
		Sha256Digest unknown = Sha256Digest.of("never published".getBytes());
		assertThatExceptionOfType(FetchException.class).isThrownBy(() -> new BundleFetcher(bucket.objectStore())
			.fetch(new Pin(unknown, List.of("15")), this.temp.resolve("node/bundle")))
			.withMessageContaining("no bundle " + unknown);
	}

	@Test
	void anExistingTargetIsNeverOverwritten(TestBucket bucket) throws IOException {
		Path into = Files.createDirectories(this.temp.resolve("node/bundle"));
		Files.writeString(into.resolve("in-use"), "the bundle a running node uses");
		assertThatExceptionOfType(FetchException.class).isThrownBy(
				() -> new BundleFetcher(stored(bucket)).fetch(new Pin(this.bundle.sha256(), List.of("15", "17")), into))
			.withMessageContaining("exists already");
		assertThat(into.resolve("in-use")).hasContent("the bundle a running node uses");
	}

	@Test
	void aPinFileWithoutDigestIsRejected() throws IOException {
		Path pinFile = Files.writeString(this.temp.resolve("pin.json"), "{\"pg_versions\":[\"15\"]}");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> Pin.read(pinFile))
			.withMessageContaining("invalid pin file")
			.withMessageContaining("names no sha256");
	}

	private static void assertNothingPlaced(Path into) throws IOException {
		assertThat(into).doesNotExist();
		if (Files.isDirectory(into.getParent())) {
			try (var siblings = Files.list(into.getParent())) {
				assertThat(siblings).as("no temporary files left").isEmpty();
			}
		}
	}

}
