package dev.pgext.loader.fetch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.TestStores;
import dev.pgext.loader.compute.Compute;
import dev.pgext.loader.compute.ComputeSpec;
import dev.pgext.loader.trust.MetadataTrust;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataSigner;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.SigningKey;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The loader trusts a key, not the bucket: over real S3 protocol, an index whose
 * signature does not verify, is missing, expired, older than one already seen or made by
 * a key the loader does not trust is refused before any file is placed, with a metric per
 * reason; and a key rotation (the registry signs with B while loaders trust A and B, then
 * A is dropped) refuses no index on the way.
 */
@RealInfrastructure
class SignedIndexIntegrationTests {

	private static final String INDEX_KEY = StoreLayout.extIndex(Scope.PUBLIC, TestStores.PG);

	private static final SigningKey KEY_A = SigningKey.generate();

	private static final SigningKey KEY_B = SigningKey.generate();

	static ObjectStore store;

	static byte[] genuineIndex;

	@BeforeAll
	static void publish(TestBucket bucket) {
		store = bucket.objectStore();
		TestStores.publish(store, Scope.PUBLIC, List.of("hstore"));
		genuineIndex = store.getBytes(INDEX_KEY).orElseThrow();
	}

	private static void writeIndex(byte[] index, SigningKey key, long version, Duration validity) {
		store.put(INDEX_KEY, index, "application/json");
		store.put(INDEX_KEY + MetadataSignature.SUFFIX,
				new MetadataSigner(key, Clock.systemUTC()).sign(INDEX_KEY, index, version, validity).toJson(),
				"application/json");
	}

	private static MetadataTrust trusting(SimpleMeterRegistry meters, VersionLedger ledger, SigningKey... keys) {
		return new MetadataTrust(
				new MetadataVerifier(TrustedKeys.of(Stream.of(keys).map(SigningKey::publicKey).toList()), true, ledger,
						Clock.systemUTC()),
				meters);
	}

	/**
	 * What a compute start does: read the index, then place the files of what it names.
	 */
	private static void start(MetadataTrust trust, PostgresInstall install) {
		S3ExtensionSource source = new S3ExtensionSource(store, Platform.DEFAULT, trust);
		ExtIndex index = source.index(TestStores.PG, null);
		FilePlacer placer = new FilePlacer(source, null, null, FilePlacer.retry(2, Duration.ofMillis(10)),
				new SimpleMeterRegistry());
		for (ExtFile file : index.find("hstore").orElseThrow().files()) {
			placer.place(file, install.resolve(file.path()), () -> false);
		}
	}

	private static long placedFiles(PostgresInstall install) throws Exception {
		try (Stream<Path> files = Files.walk(install.root())) {
			return files.filter(Files::isRegularFile).count();
		}
	}

	private static double rejected(SimpleMeterRegistry meters, String reason) {
		return meters.counter("pgext.loader.metadata.rejected", "reason", reason).count();
	}

	@Test
	void aTamperedBlobWithARewrittenIndexIsRefusedAndNothingIsPlaced(@TempDir Path dir) throws Exception {
		writeIndex(genuineIndex, KEY_A, 1, Duration.ofDays(7));
		// the attacker can write the bucket: a rewritten control file, stored as a blob
		// under its
		// own digest, and an index naming that digest; every digest check on the way
		// would pass
		ExtFile control = ExtIndexJsonFiles.control(genuineIndex);
		byte[] original = store.getBytes(StoreLayout.blob(control.sha256())).orElseThrow();
		byte[] tampered = new String(original, StandardCharsets.UTF_8).replaceFirst("comment", "COMMENT")
			.getBytes(StandardCharsets.UTF_8);
		store.put(StoreLayout.blob(Sha256Digest.of(tampered)), tampered, "application/octet-stream");
		store.put(INDEX_KEY,
				new String(genuineIndex, StandardCharsets.UTF_8)
					.replace(control.sha256().hex(), Sha256Digest.of(tampered).hex())
					.getBytes(StandardCharsets.UTF_8),
				"application/json");
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		MetadataTrust trust = trusting(meters, VersionLedger.inMemory(), KEY_A);
		PostgresInstall install = TestStores.emptyInstall(dir.resolve("install"));

		assertThatExceptionOfType(FetchException.class).isThrownBy(() -> start(trust, install))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.UNTRUSTED))
			.withMessageContaining("refusing " + INDEX_KEY)
			.withMessageContaining("changed after signing");
		assertThat(placedFiles(install)).isZero();
		assertThat(rejected(meters, "bad-signature")).isEqualTo(1);
		assertThat(trust.rejections()).singleElement()
			.satisfies((rejection) -> assertThat(rejection.document()).isEqualTo(INDEX_KEY));

		// the genuine index again: the compute starts, and the loader is healthy again
		writeIndex(genuineIndex, KEY_A, 2, Duration.ofDays(7));
		start(trust, install);
		assertThat(placedFiles(install)).isPositive();
		assertThat(trust.rejections()).isEmpty();
	}

	@Test
	void aTamperedIndexFailsAComputeStartWithTheHookBeforeAnythingIsPlaced(@TempDir Path dir) throws Exception {
		writeIndex(genuineIndex, KEY_A, 1, Duration.ofDays(7));
		// one digest changed, the signature left as it was: the start binds only the
		// preload closure's entries, but checks the hash of every byte first
		ExtFile control = ExtIndexJsonFiles.control(genuineIndex);
		store.put(INDEX_KEY,
				new String(genuineIndex, StandardCharsets.UTF_8)
					.replace(control.sha256().hex(), Sha256Digest.of(new byte[] { 1 }).hex())
					.getBytes(StandardCharsets.UTF_8),
				"application/json");
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		S3ExtensionSource source = new S3ExtensionSource(store, Platform.DEFAULT,
				trusting(meters, VersionLedger.inMemory(), KEY_A));
		PostgresInstall install = TestStores.emptyInstall(dir.resolve("install"));
		Compute compute = new Compute(
				LoaderProperties.defaults().withHook(dir.resolve("pgext_loader.so"), "127.0.0.1:1"), source,
				new FilePlacer(source, null, null, FilePlacer.retry(2, Duration.ofMillis(10)), meters), meters,
				(event) -> {
				});
		try {
			compute.startAndWait(new ComputeSpec(null, 15, install.root().toString(), dir.resolve("data").toString(),
					FreePorts.any(), List.of("hstore"), List.of(), List.of("hstore"), Map.of()));

			assertThat(compute.phase()).isEqualTo(Compute.Phase.FAILED);
			assertThat(compute.status().problem()).contains("refusing " + INDEX_KEY).contains("changed after signing");
			assertThat(placedFiles(install)).isZero();
			assertThat(dir.resolve("data")).doesNotExist();
			assertThat(rejected(meters, "bad-signature")).isEqualTo(1);
		}
		finally {
			compute.destroy();
		}
	}

	@Test
	void anUnsignedIndexIsRefusedWhenSignaturesAreRequired(@TempDir Path dir) {
		store.put(INDEX_KEY, genuineIndex, "application/json");
		store.delete(INDEX_KEY + MetadataSignature.SUFFIX);
		SimpleMeterRegistry meters = new SimpleMeterRegistry();

		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> start(trusting(meters, VersionLedger.inMemory(), KEY_A),
					TestStores.emptyInstall(dir.resolve("install"))))
			.withMessageContaining("has no signature");
		assertThat(rejected(meters, "unsigned")).isEqualTo(1);
	}

	@Test
	void anExpiredIndexIsRefused(@TempDir Path dir) {
		writeIndex(genuineIndex, KEY_A, 1, Duration.ofDays(7));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		MetadataTrust aWeekLater = new MetadataTrust(new MetadataVerifier(TrustedKeys.of(List.of(KEY_A.publicKey())),
				true, VersionLedger.inMemory(), Clock.fixed(Instant.now().plus(Duration.ofDays(8)), ZoneOffset.UTC)),
				meters);

		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> start(aWeekLater, TestStores.emptyInstall(dir.resolve("install"))))
			.withMessageContaining("expired at");
		assertThat(rejected(meters, "expired")).isEqualTo(1);
	}

	@Test
	void aReplayedOlderIndexIsRefusedEvenAfterTheLoaderRestarts(@TempDir Path dir) {
		Path state = dir.resolve("trust");
		writeIndex(genuineIndex, KEY_A, 200, Duration.ofDays(7));
		start(trusting(new SimpleMeterRegistry(), VersionLedger.in(state), KEY_A),
				TestStores.emptyInstall(dir.resolve("first")));
		// an older index, still validly signed and not expired, put back by someone
		writeIndex(genuineIndex, KEY_A, 100, Duration.ofDays(7));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();

		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> start(trusting(meters, VersionLedger.in(state), KEY_A),
					TestStores.emptyInstall(dir.resolve("second"))))
			.withMessageContaining("version 100, lower than version 200");
		assertThat(rejected(meters, "rollback")).isEqualTo(1);
	}

	@Test
	void anIndexSignedByAKeyTheLoaderDoesNotTrustIsRefused(@TempDir Path dir) {
		writeIndex(genuineIndex, SigningKey.generate(), 1, Duration.ofDays(7));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();

		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> start(trusting(meters, VersionLedger.inMemory(), KEY_A, KEY_B),
					TestStores.emptyInstall(dir.resolve("install"))))
			.withMessageContaining("which is not trusted");
		assertThat(rejected(meters, "unknown-key")).isEqualTo(1);
	}

	@Test
	void aKeyRotationWithTwoKeysInFlightLosesNoComputeStart(@TempDir Path dir) throws Exception {
		Path state = dir.resolve("trust");
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		// 1. the registry signs with A; loaders trust A
		writeIndex(genuineIndex, KEY_A, 10, Duration.ofDays(7));
		start(trusting(meters, VersionLedger.in(state), KEY_A), TestStores.emptyInstall(dir.resolve("a")));
		// 2. loaders are rolled out trusting A and B; the index is still signed by A
		start(trusting(meters, VersionLedger.in(state), KEY_A, KEY_B), TestStores.emptyInstall(dir.resolve("ab")));
		// 3. the registry restarts with B and re-signs: every loader trusts B already
		writeIndex(genuineIndex, KEY_B, 11, Duration.ofDays(7));
		start(trusting(meters, VersionLedger.in(state), KEY_A, KEY_B), TestStores.emptyInstall(dir.resolve("ab-b")));
		// 4. A is dropped from the loaders' trust
		PostgresInstall last = TestStores.emptyInstall(dir.resolve("b"));
		start(trusting(meters, VersionLedger.in(state), KEY_B), last);

		assertThat(placedFiles(last)).isPositive();
		assertThat(meters.find("pgext.loader.metadata.rejected").counters())
			.allSatisfy((counter) -> assertThat(counter.count()).isZero());
		// and once A is gone, what A signs is no longer trusted
		writeIndex(genuineIndex, KEY_A, 12, Duration.ofDays(7));
		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> start(trusting(meters, VersionLedger.in(state), KEY_B),
					TestStores.emptyInstall(dir.resolve("a-again"))))
			.withMessageContaining("not trusted");
	}

	/** Reads the hstore control file's entry out of index bytes. */
	private static final class ExtIndexJsonFiles {

		static ExtFile control(byte[] index) {
			return ExtIndexJson.read(index)
				.find("hstore")
				.orElseThrow()
				.files()
				.stream()
				.filter((file) -> file.path().endsWith(".control"))
				.findFirst()
				.orElseThrow();
		}

	}

}
