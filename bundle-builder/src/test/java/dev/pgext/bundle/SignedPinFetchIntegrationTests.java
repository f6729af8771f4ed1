package dev.pgext.bundle;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.bundle.archive.BundleArchive;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.build.BundleBuilder;
import dev.pgext.bundle.build.TestBundles;
import dev.pgext.bundle.fetch.PinTrust;
import dev.pgext.bundle.publish.BundlePublisher;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataSigner;
import dev.pgext.model.signing.SigningKey;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bundle-builder fetch} trusts a key, not the bucket: over real S3, a pin signed
 * by a trusted key is fetched; a different bundle stored under its own digest with a pin
 * rewritten to name it (every digest consistent, the signature not), an unsigned pin, a
 * pin signed by an unknown key, an expired one and an older one put back are refused, and
 * nothing is placed; so is a bundle whose SBOM is unsigned or signed for another bundle.
 * What is trusted is the pin and the SBOM, not what the bundle holds: the bundle is the
 * smaller of {@link TestBundles}' two (PG 14, half the tree every fetch extracts and
 * checks).
 */
@RealInfrastructure
class SignedPinFetchIntegrationTests {

	private static final SigningKey REGISTRY_KEY = SigningKey.generate();

	@TempDir
	Path temp;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private int fetch(TestBucket bucket, PinTrust trust, Path pin, Path into) {
		this.out.reset();
		this.err.reset();
		BundleProperties properties = new BundleProperties("test", TestBundles.HOST_LIBRARY_DIRS, List.of(),
				List.of("nobody:65534:65534"), 3, this.temp, Duration.ofMinutes(1),
				new BundleProperties.Registry(null, null, Duration.ofSeconds(10)), bucket.settings());
		return new BundleCommands(properties, trust, new PrintStream(this.out, true, StandardCharsets.UTF_8),
				new PrintStream(this.err, true, StandardCharsets.UTF_8))
			.execute(new String[] { "fetch", "--pin", pin.toString(), "--into", into.toString() });
	}

	private PinTrust trusting(SigningKey key) {
		return new PinTrust(List.of(key.publicPem()), null, this.temp.resolve("trust"));
	}

	private Path signedPin(String name, String json, SigningKey key, long version, Duration validity) throws Exception {
		Path pin = Files.writeString(this.temp.resolve(name), json);
		byte[] content = Files.readAllBytes(pin);
		Files.write(pin.resolveSibling(name + MetadataSignature.SUFFIX),
				new MetadataSigner(key, Clock.systemUTC()).sign("bundle-pins/production", content, version, validity)
					.toJson());
		return pin;
	}

	/**
	 * Writes {@code sbom.cdx.json.sig} beside the pins: the bundle's SBOM signed as the
	 * SBOM of bundle {@code as}, as the registry serves it.
	 */
	private void signSbom(BundleBuilder.Result bundle, Sha256Digest as, SigningKey key) throws Exception {
		byte[] sbom = BundleArchive.readFile(bundle.file(), BundleManifest.SBOM_PATH).orElseThrow();
		Files.write(this.temp.resolve(PinTrust.SBOM_SIGNATURE_FILE),
				new MetadataSigner(key, Clock.systemUTC())
					.sign("bundles/" + as.hex() + "/sbom.cdx.json", sbom, 1, Duration.ofDays(7))
					.toJson());
	}

	@Test
	void aBundleWhoseSbomIsUnsignedOrSignedForAnotherBundleIsRefusedAndNothingIsPlaced(TestBucket bucket)
			throws Exception {
		BundleBuilder.Result bundle = TestBundles.pg14();
		bucket.objectStore()
			.putIfAbsent(StoreLayout.bundle(bundle.sha256()), bundle.file(), BundlePublisher.CONTENT_TYPE);
		Path pin = signedPin("sbom-pin.json", pinJson(bundle.sha256()), REGISTRY_KEY, 10, Duration.ofDays(7));
		Path into = this.temp.resolve("node/sbom");

		Files.deleteIfExists(this.temp.resolve(PinTrust.SBOM_SIGNATURE_FILE));
		assertThat(fetch(bucket, trusting(REGISTRY_KEY), pin, into)).isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString()).contains("refusing SBOM of bundle " + bundle.sha256().hex())
			.contains("(unsigned)");
		assertThat(into).doesNotExist();

		signSbom(bundle, Sha256Digest.of("another bundle".getBytes(StandardCharsets.UTF_8)), REGISTRY_KEY);
		assertThat(fetch(bucket, trusting(REGISTRY_KEY), pin, into)).isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString()).contains("(bad-signature)");
		assertThat(into).doesNotExist();

		signSbom(bundle, bundle.sha256(), SigningKey.generate());
		assertThat(fetch(bucket, trusting(REGISTRY_KEY), pin, into)).isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString()).contains("(unknown-key)");
		assertThat(into).doesNotExist();
		try (var left = Files.list(into.getParent())) {
			assertThat(left.map((p) -> p.getFileName().toString())).noneMatch((n) -> n.startsWith(".sbom"));
		}

		signSbom(bundle, bundle.sha256(), REGISTRY_KEY);
		assertThat(fetch(bucket, trusting(REGISTRY_KEY), pin, into)).as(this.err.toString())
			.isEqualTo(BundleCommands.OK);
		assertThat(into.resolve(BundleManifest.SBOM_PATH)).isRegularFile();
	}

	private static String pinJson(Sha256Digest sha256) {
		return "{\"sha256\":\"" + sha256.hex() + "\",\"pg_versions\":[\"14\"]}";
	}

	@Test
	void aSignedPinIsFetchedAndATamperedBundleWithARewrittenPinIsRefused(TestBucket bucket) throws Exception {
		BundleBuilder.Result bundle = TestBundles.pg14();
		bucket.objectStore()
			.putIfAbsent(StoreLayout.bundle(bundle.sha256()), bundle.file(), BundlePublisher.CONTENT_TYPE);
		Path pin = signedPin("pin.json", pinJson(bundle.sha256()), REGISTRY_KEY, 10, Duration.ofDays(7));
		signSbom(bundle, bundle.sha256(), REGISTRY_KEY);

		assertThat(fetch(bucket, trusting(REGISTRY_KEY), pin, this.temp.resolve("node/good"))).as(this.err.toString())
			.isEqualTo(BundleCommands.OK);
		assertThat(this.temp.resolve("node/good/LAUNCHER")).isExecutable();

		// someone with write access to the bucket and the pin file: another bundle under
		// its own
		// digest, and the pin rewritten to name it
		byte[] other = "a bundle nobody reviewed".getBytes(StandardCharsets.UTF_8);
		bucket.objectStore().put(StoreLayout.bundle(Sha256Digest.of(other)), other, BundlePublisher.CONTENT_TYPE);
		Files.writeString(pin, pinJson(Sha256Digest.of(other)));
		Path into = this.temp.resolve("node/tampered");

		assertThat(fetch(bucket, trusting(REGISTRY_KEY), pin, into)).isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString()).contains("refusing pin file").contains("changed after signing");
		assertThat(into).doesNotExist();
	}

	@Test
	void unsignedExpiredUnknownKeyAndReplayedPinsAreRefusedBeforeAnyDownload(TestBucket bucket) throws Exception {
		Sha256Digest anyBundle = Sha256Digest.of("not even downloaded".getBytes(StandardCharsets.UTF_8));
		Path into = this.temp.resolve("node/bundle");

		Path unsigned = Files.writeString(this.temp.resolve("unsigned.json"), pinJson(anyBundle));
		assertThat(fetch(bucket, trusting(REGISTRY_KEY), unsigned, into)).isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString()).contains("has no signature").contains("(unsigned)");

		Path unknown = signedPin("unknown.json", pinJson(anyBundle), SigningKey.generate(), 1, Duration.ofDays(7));
		assertThat(fetch(bucket, trusting(REGISTRY_KEY), unknown, into)).isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString()).contains("(unknown-key)");

		Path expired = signedPin("expired.json", pinJson(anyBundle), REGISTRY_KEY, 1, Duration.ofSeconds(-1));
		assertThat(fetch(bucket, trusting(REGISTRY_KEY), expired, into)).isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString()).contains("(expired)");
		// nothing trusted yet, nothing written: not even the directory of versions seen
		assertThat(this.temp.resolve("trust")).doesNotExist();

		// version 50 seen (its bundle is not in the store: the fetch fails after the pin
		// was trusted)
		Path newer = signedPin("newer.json", pinJson(anyBundle), REGISTRY_KEY, 50, Duration.ofDays(7));
		assertThat(fetch(bucket, trusting(REGISTRY_KEY), newer, into)).isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString()).contains("no bundle");
		Path older = signedPin("older.json", pinJson(anyBundle), REGISTRY_KEY, 40, Duration.ofDays(7));
		assertThat(fetch(bucket, trusting(REGISTRY_KEY), older, into)).isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString()).contains("(rollback)");
		assertThat(into).doesNotExist();
	}

}
