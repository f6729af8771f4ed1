package dev.pgext.registry;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.TenantId;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataSigner;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;
import dev.pgext.registry.projection.ProjectionReconciler;
import dev.pgext.registry.projection.ProjectionTarget;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the registry writes and serves is signed by its key: every index and the mirror's
 * snapshot beside them in the store, the compute manifest in a header, the pin file at a
 * sibling endpoint; and a signature nearing its expiry is replaced by the next reconcile.
 */
class SignedMetadataIntegrationTests extends RegistryIntegrationTest {

	private static final Scope SIGNED = Scope.tenant(TenantId.of("signed"));

	@Autowired
	private ProjectionReconciler reconciler;

	private static MetadataVerifier verifier() {
		return new MetadataVerifier(TrustedKeys.of(List.of(RegistryTestInfrastructure.signingKey().publicKey())), true,
				VersionLedger.inMemory(), Clock.systemUTC());
	}

	private void publishSigned(String name) {
		String token = userToken("signed-ci-" + name, "signed", "publish");
		byte[] artifact = TestArtifacts.builder()
			.file("share/extension/" + name + ".control", "default_version = '1.0.0'\nrelocatable = true\n")
			.file("share/extension/" + name + "--1.0.0.sql",
					"CREATE FUNCTION " + name + "_f() RETURNS int " + "LANGUAGE sql AS $$SELECT 1$$;\n")
			.tarGz();
		RegistryClient.Response response = publish(token, "signed", TestArtifacts.metadata(name, "1.0.0"),
				Map.of("pg15", artifact));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
		awaitProjections();
	}

	@Test
	void everyIndexTheProjectionWritesHasASignatureBesideItThatTheRegistryKeyVerifies() {
		publishSigned("signed_index");
		String key = StoreLayout.extIndex(SIGNED, PgMajor.of(15));
		byte[] index = this.store.getBytes(key).orElseThrow();
		byte[] signature = this.store.getBytes(key + MetadataSignature.SUFFIX).orElseThrow();

		MetadataSignature verified = verifier().verify(key, index, signature).orElseThrow();

		assertThat(verified.keyId()).isEqualTo(RegistryTestInfrastructure.signingKey().keyId());
		assertThat(verified.expiresAt()).isAfter(Instant.now().plus(Duration.ofDays(6)));
	}

	@Test
	void theMirrorSnapshotIsSigned() {
		publishSigned("signed_mirror");
		String key = StoreLayout.mirror("snapshot.json");
		Awaitility.await("a signed snapshot naming the release")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.untilAsserted(() -> {
				byte[] snapshot = this.store.getBytes(key).orElseThrow();
				byte[] signature = this.store.getBytes(key + MetadataSignature.SUFFIX).orElseThrow();
				assertThat(verifier().verify(key, snapshot, signature)).isPresent();
			});
	}

	@Test
	void theComputeManifestCarriesTheSignatureOfItsBodyInAHeader() {
		publishSigned("signed_manifest");

		RegistryClient.Response response = api().get("/api/v1/compute-manifests/15?tenant=signed", ADMIN_TOKEN);

		assertThat(response.status()).isEqualTo(200);
		String header = response.headers().getFirst(MetadataSignature.HEADER);
		assertThat(header).isNotNull();
		MetadataSignature verified = verifier()
			.verify("compute-manifests/15/linux-amd64-gnu/signed", response.body(), Base64.getDecoder().decode(header))
			.orElseThrow();
		assertThat(verified.version()).isPositive();
	}

	@Test
	void aSignatureNearItsExpiryIsReplacedByTheNextReconcileWithAHigherVersion() {
		publishSigned("signed_refresh");
		String key = StoreLayout.extIndex(SIGNED, PgMajor.of(15));
		byte[] index = this.store.getBytes(key).orElseThrow();
		MetadataSignature expiring = new MetadataSigner(RegistryTestInfrastructure.signingKey(), Clock.systemUTC())
			.sign(key, index, Long.MAX_VALUE - 10, Duration.ofHours(1));
		this.store.put(key + MetadataSignature.SUFFIX, expiring.toJson(), "application/json");

		this.reconciler.reconcile(new ProjectionTarget.Store(SIGNED, PgMajor.of(15)), true);

		MetadataSignature renewed = verifier()
			.verify(key, index, this.store.getBytes(key + MetadataSignature.SUFFIX).orElseThrow())
			.orElseThrow();
		assertThat(renewed.version()).isEqualTo(Long.MAX_VALUE - 9);
		assertThat(renewed.expiresAt()).isAfter(Instant.now().plus(Duration.ofDays(6)));
	}

	@Test
	void theEffectivePinFileIsSignedInAHeaderAndAtItsSignatureEndpoint() {
		byte[] bundle = "signed pin bundle".getBytes(StandardCharsets.UTF_8);
		String sha256 = Sha256Digest.of(bundle).hex();
		this.store.put(StoreLayout.bundle(Sha256Digest.of(bundle)), bundle, "application/zstd");
		assertThat(api()
			.postJson("/api/v1/bundles", ADMIN_TOKEN, Map.of("sha256", sha256, "size", bundle.length, "pg_versions",
					Map.of("15", "15.19"), "manifest", Map.of("launcher", "LAUNCHER")))
			.status()).isEqualTo(201);
		String proposer = userToken("signed-pin-proposer", null, "publish");
		String approver = userToken("signed-pin-approver", null, "bundle-approver");
		long id = api().postJson("/api/v1/bundle-pins/signed-env/proposals", proposer, Map.of("sha256", sha256))
			.json()
			.path("id")
			.asLong();
		assertThat(api().postJson("/api/v1/bundle-pins/signed-env/proposals/" + id + "/approve", approver, Map.of())
			.status()).isEqualTo(200);

		RegistryClient.Response pin = api().get("/api/v1/bundle-pins/signed-env", null);
		RegistryClient.Response signature = api().get("/api/v1/bundle-pins/signed-env/signature", null);

		assertThat(signature.status()).isEqualTo(200);
		assertThat(verifier().verify("bundle-pins/signed-env", pin.body(), signature.body())).isPresent();
		assertThat(verifier().verify("bundle-pins/signed-env", pin.body(),
				Base64.getDecoder().decode(pin.headers().getFirst(MetadataSignature.HEADER))))
			.isPresent();
		assertThat(api().get("/api/v1/bundle-pins/no-such-env/signature", null).status()).isEqualTo(404);
	}

}
