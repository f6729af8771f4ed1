package dev.pgext.registry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.registry.jobs.JobQueue;
import dev.pgext.registry.manifest.ExtensionIndexes;
import dev.pgext.registry.projection.Projections;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store as a projection of the catalog: whatever a failed run, a hand-made change or
 * a lost job left behind, after the reconciler has run the objects under a scope and
 * major are exactly the index the catalog calls for and a copy of each file it names,
 * nothing more; and the current release is the highest one, never the last published.
 */
class ProjectionIntegrationTests extends RegistryIntegrationTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	private JobQueue jobs;

	@Autowired
	private ExtensionIndexes indexes;

	private static final Scope CONVERGENCE = Scope.tenant(TenantId.of("convergence"));

	private static final Scope DRIFT = Scope.tenant(TenantId.of("drift"));

	@Test
	void aReconcileThatFailsHalfWayConvergesOnceTheStoreIsBack() {
		String token = userToken("convergence-ci", "convergence", "publish");
		publishVersion(token, "convergence", "conv_one", "1.0.0", "pg15");
		awaitProjections();
		assertExactProjection(CONVERGENCE, PgMajor.of(15));

		String prefix = StoreLayout.scopePrefix(CONVERGENCE, PgMajor.of(15));
		this.faults.failWritesAfter(1, (key) -> key.startsWith(prefix));
		publishVersion(token, "convergence", "conv_one", "2.0.0", "pg15");
		Awaitility.await("a failed reconcile").atMost(Duration.ofSeconds(30)).until(() -> this.faults.failures() > 0);

		// half-way: the index still names the old release, and every blob it names is
		// there
		ExtIndex halfWay = storedIndex(CONVERGENCE, PgMajor.of(15));
		assertThat(halfWay.find("conv_one").orElseThrow().version().value()).isEqualTo("1.0.0");
		assertBlobsPresent(halfWay);
		// the manifest reads the catalog: the new release is visible at once
		assertThat(manifest(15, "convergence").find("conv_one").orElseThrow().version().value()).isEqualTo("2.0.0");

		this.faults.heal();
		awaitProjections();
		assertExactProjection(CONVERGENCE, PgMajor.of(15));
		assertThat(storedIndex(CONVERGENCE, PgMajor.of(15)).find("conv_one").orElseThrow().version().value())
			.isEqualTo("2.0.0");
		assertThat(this.store
			.head(StoreLayout.seedFile(CONVERGENCE, PgMajor.of(15), "share/extension/conv_one--1.0.0.sql"))).isEmpty();
	}

	@Test
	void aPublishThatFailsHalfWayThroughItsBlobsLeavesTheProjectionAsItWas() {
		String token = userToken("convergence-blobs", "convergence", "publish");
		publishVersion(token, "convergence", "conv_blobs", "1.0.0", "pg16");
		Snapshot before = snapshot();

		this.faults.failWritesAfter(1, (key) -> key.startsWith("blobs/"));
		RegistryClient.Response failed = publish(token, "convergence", TestArtifacts.metadata("conv_blobs", "1.1.0"),
				Map.of("pg16", artifact("conv_blobs", "1.1.0")));
		assertThat(failed.status()).as(failed.toString()).isEqualTo(503);
		assertThat(failed.problemType()).isEqualTo("https://pgext.dev/problems/store-unavailable");
		this.faults.heal();

		Snapshot after = snapshot();
		assertThat(after.rows()).isEqualTo(before.rows());
		assertThat(withoutBlobs(after.objects())).isEqualTo(withoutBlobs(before.objects()));
		assertExactProjection(CONVERGENCE, PgMajor.of(16));

		publishVersion(token, "convergence", "conv_blobs", "1.1.0", "pg16");
		awaitProjections();
		assertExactProjection(CONVERGENCE, PgMajor.of(16));
		assertThat(storedIndex(CONVERGENCE, PgMajor.of(16)).find("conv_blobs").orElseThrow().version().value())
			.isEqualTo("1.1.0");
	}

	@Test
	void aProjectionJobThatDiedIsHealedByThePeriodicFullReconcile() {
		String token = userToken("convergence-lost", "convergence", "publish");
		// the full reconcile every instance asks for at start is over
		awaitProjections();
		String prefix = StoreLayout.scopePrefix(CONVERGENCE, PgMajor.of(14));
		this.faults.failWritesAfter(0, (key) -> key.startsWith(prefix));
		publishVersion(token, "convergence", "conv_lost", "1.0.0", "pg14");
		String key = "projection.reconcile:store:convergence/14";
		Awaitility.await("the projection job to use up its attempts")
			.atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.sql("select count(*) from job where dedupe_key = ? and state = 'dead'")
				.param(key)
				.query(Long.class)
				.single() > 0);
		this.faults.heal();
		assertThat(this.store.head(StoreLayout.extIndex(CONVERGENCE, PgMajor.of(14)))).isEmpty();

		// what the periodic schedule does once its interval has passed
		assertThat(this.jobs.enqueueUnlessRecent(Projections.RECONCILE_ALL, Duration.ofMillis(1), "scheduler"))
			.isTrue();
		awaitProjections();
		assertExactProjection(CONVERGENCE, PgMajor.of(14));
		assertThat(storedIndex(CONVERGENCE, PgMajor.of(14)).find("conv_lost")).isPresent();
	}

	@Test
	void strayFilesAStaleIndexAndAStaleControlFileAreReconciledAway() {
		userToken("drift-user", "drift", "publish");
		publishVersion(ADMIN_TOKEN, null, "drift_public", "1.0.0", "pg14");
		String tenantToken = userToken("convergence-drift", "convergence", "publish");
		publishVersion(tenantToken, "convergence", "drift_private", "1.0.0", "pg17");
		awaitProjections();

		PgMajor pg14 = PgMajor.of(14);
		PgMajor pg17 = PgMajor.of(17);
		byte[] staleControl = "comment = 'stale'\ndefault_version = '0.0.0'\n".getBytes(StandardCharsets.UTF_8);
		this.store.put(StoreLayout.seedFile(Scope.PUBLIC, pg14, "share/extension/drift_public.control"), staleControl,
				"text/plain");
		this.store.put(StoreLayout.seedFile(Scope.PUBLIC, pg14, "share/extension/drift_public--9.9.sql"),
				"SELECT 1;".getBytes(StandardCharsets.UTF_8), "text/plain");
		this.store.put(StoreLayout.seedFile(Scope.PUBLIC, pg14, "lib/stray.so"), new byte[] { 0x7f, 'E', 'L', 'F' },
				"application/octet-stream");
		this.store.put(StoreLayout.extIndex(Scope.PUBLIC, pg14), ExtIndexJson.write(ExtIndex.of(pg14, null, List.of())),
				"application/json");
		this.store.put(StoreLayout.seedFile(CONVERGENCE, pg17, "share/extension/drift_private.control"), staleControl,
				"text/plain");
		this.store.put(StoreLayout.seedFile(CONVERGENCE, pg17, "share/extension/ghost--1.0.sql"),
				"SELECT 1;".getBytes(StandardCharsets.UTF_8), "text/plain");
		this.store.put(StoreLayout.extIndex(CONVERGENCE, pg17), "{\"stale\": true}".getBytes(StandardCharsets.UTF_8),
				"application/json");
		// a tenant that never published anything
		this.store.put(StoreLayout.seedFile(DRIFT, PgMajor.of(18), "share/extension/ghost.control"), staleControl,
				"text/plain");
		this.store.put(StoreLayout.extIndex(DRIFT, PgMajor.of(18)), staleControl, "application/json");
		this.store.put("mirror/extensions/ghost.json", "{}".getBytes(StandardCharsets.UTF_8), "application/json");

		assertThat(api().postJson("/api/v1/admin/projections/reconcile", tenantToken, Map.of()).status())
			.isEqualTo(403);
		RegistryClient.Response accepted = api().postJson("/api/v1/admin/projections/reconcile", ADMIN_TOKEN, Map.of());
		assertThat(accepted.status()).isEqualTo(202);
		JsonNode operation = awaitOperation(accepted.headers().getLocation().toString(), ADMIN_TOKEN);
		assertThat(operation.path("state").asString()).as(operation.toString()).isEqualTo("succeeded");
		assertThat(operation.path("result").path("written").asInt()).isGreaterThanOrEqualTo(4);
		assertThat(operation.path("result").path("deleted").asInt()).isGreaterThanOrEqualTo(6);
		assertThat(this.store.head("mirror/extensions/ghost.json")).isEmpty();

		assertExactProjection(Scope.PUBLIC, pg14);
		assertExactProjection(CONVERGENCE, pg17);
		assertExactProjection(DRIFT, PgMajor.of(18));
		assertThat(this.store.list(StoreLayout.scopePrefix(DRIFT, PgMajor.of(18)))).isEmpty();
		assertThat(new String(
				this.store.getBytes(StoreLayout.seedFile(Scope.PUBLIC, pg14, "share/extension/drift_public.control"))
					.orElseThrow(),
				StandardCharsets.UTF_8))
			.contains("default_version = '1.0.0'");

		// a second run finds every object up to date (compared by ETag) and writes
		// nothing
		awaitProjections();
		JsonNode again = awaitOperation(api().postJson("/api/v1/admin/projections/reconcile", ADMIN_TOKEN, Map.of())
			.headers()
			.getLocation()
			.toString(), ADMIN_TOKEN);
		assertThat(again.path("state").asString()).as(again.toString()).isEqualTo("succeeded");
		assertThat(again.path("result").path("written").asInt()).as(again.toString()).isZero();
		assertThat(again.path("result").path("deleted").asInt()).as(again.toString()).isZero();
	}

	@Test
	void theHighestReleaseIsCurrentWhateverOrderTheyWerePublishedIn() {
		publishVersion(ADMIN_TOKEN, null, "cur_pick", "1.0.0", "pg18");
		publishVersion(ADMIN_TOKEN, null, "cur_pick", "0.0.1", "pg18");
		publishVersion(ADMIN_TOKEN, null, "cur_pick", "2.0.0-rc.1", "pg18");

		assertThat(manifest(18, null).find("cur_pick").orElseThrow().version().value()).isEqualTo("1.0.0");
		assertThat(api().get("/api/v1/extensions/cur_pick", null).json().path("extension").path("version").asString())
			.isEqualTo("1.0.0");
		awaitProjections();
		assertCurrentEverywhere("cur_pick", "1.0.0");

		RegistryClient.Response yanked = api().postJson("/api/v1/distributions/cur_pick/versions/1.0.0/yank",
				ADMIN_TOKEN, Map.of("reason", "broken"));
		assertThat(yanked.status()).as(yanked.toString()).isEqualTo(200);
		assertThat(manifest(18, null).find("cur_pick").orElseThrow().version().value()).isEqualTo("0.0.1");
		awaitProjections();
		assertCurrentEverywhere("cur_pick", "0.0.1");
		assertExactProjection(Scope.PUBLIC, PgMajor.of(18));
	}

	@Test
	void theIndexAssembledAfterEachChangeEqualsTheIndexBuiltWholeByteForByte() {
		publishVersion(ADMIN_TOKEN, null, "frag_b", "1.0.0", "pg14");
		awaitProjections();
		publishVersion(ADMIN_TOKEN, null, "frag_a", "1.0.0", "pg14");
		publishVersion(ADMIN_TOKEN, null, "frag_a", "1.1.0", "pg14");
		awaitProjections();
		assertThat(api()
			.postJson("/api/v1/distributions/frag_a/versions/1.1.0/yank", ADMIN_TOKEN, Map.of("reason", "broken"))
			.status()).isEqualTo(200);
		awaitProjections();
		publishVersion(ADMIN_TOKEN, null, "frag_c", "1.0.0", "pg14");
		awaitProjections();

		String key = StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(14));
		byte[] incremental = this.store.getBytes(key).orElseThrow();
		assertThat(incremental).isEqualTo(ExtIndexJson.writeCompact(this.indexes.build(Scope.PUBLIC, PgMajor.of(14))));
		assertThat(ExtIndexJson.read(incremental).find("frag_a").orElseThrow().version().value()).isEqualTo("1.0.0");
		assertExactProjection(Scope.PUBLIC, PgMajor.of(14));

		RegistryClient.Response accepted = api().postJson("/api/v1/admin/projections/reconcile", ADMIN_TOKEN, Map.of());
		assertThat(awaitOperation(accepted.headers().getLocation().toString(), ADMIN_TOKEN).path("state").asString())
			.isEqualTo("succeeded");
		assertThat(this.store.getBytes(key).orElseThrow()).isEqualTo(incremental);
	}

	@Test
	void eachLibrarysSignedPreloadDocumentFollowsTheIndexAndAFullReconcileLeavesItAsItIs() throws Exception {
		Scope scope = Scope.tenant(TenantId.of("preloads"));
		PgMajor pg16 = PgMajor.of(16);
		String token = userToken("preloads-ci", "preloads", "publish");
		publishExtension(token, "preloads", "pre_base", "1.0.0", null, null);
		publishExtension(token, "preloads", "pre_top", "1.0.0", "pre_base", "pg_prewarm");
		awaitProjections();
		String key = StoreLayout.preloadDocument(scope, pg16, Platform.DEFAULT, "pre_top");
		byte[] first = assertPreloadDocument(scope, pg16, key, "pre_top", "1.0.0");
		long firstVersion = signature(key).version();

		// a change of what the library's extension requires rewrites its document
		publishExtension(token, "preloads", "pre_base", "1.1.0", null, null);
		awaitProjections();
		byte[] second = assertPreloadDocument(scope, pg16, key, "pre_top", "1.1.0");
		assertThat(second).isNotEqualTo(first);
		assertThat(signature(key).version()).isGreaterThan(firstVersion);

		// a full reconcile finds the document and its signature as it would write them
		byte[] signatureBefore = this.store.getBytes(key + MetadataSignature.SUFFIX).orElseThrow();
		RegistryClient.Response accepted = api().postJson("/api/v1/admin/projections/reconcile", ADMIN_TOKEN, Map.of());
		assertThat(awaitOperation(accepted.headers().getLocation().toString(), ADMIN_TOKEN).path("state").asString())
			.isEqualTo("succeeded");
		assertThat(this.store.getBytes(key).orElseThrow()).isEqualTo(second);
		assertThat(this.store.getBytes(key + MetadataSignature.SUFFIX).orElseThrow()).isEqualTo(signatureBefore);

		// a stray document is deleted by the full reconcile; a yanked provider's by the
		// next change
		String stray = StoreLayout.preloadDocument(scope, pg16, Platform.DEFAULT, "gone");
		this.store.put(stray, "{}".getBytes(StandardCharsets.UTF_8), "application/json");
		this.store.put(stray + MetadataSignature.SUFFIX, "{}".getBytes(StandardCharsets.UTF_8), "application/json");
		accepted = api().postJson("/api/v1/admin/projections/reconcile", ADMIN_TOKEN, Map.of());
		assertThat(awaitOperation(accepted.headers().getLocation().toString(), ADMIN_TOKEN).path("state").asString())
			.isEqualTo("succeeded");
		assertThat(this.store.head(stray)).isEmpty();
		assertThat(this.store.head(stray + MetadataSignature.SUFFIX)).isEmpty();
		assertThat(api()
			.postJson("/api/v1/distributions/pre_top/versions/1.0.0/yank?tenant=preloads", token,
					Map.of("reason", "broken"))
			.status()).isEqualTo(200);
		awaitProjections();
		assertThat(this.store.head(key)).isEmpty();
		assertThat(this.store.head(key + MetadataSignature.SUFFIX)).isEmpty();
	}

	/**
	 * Checks that the preload document at {@code key} is the stored index's own entries
	 * of {@code provider} and its requires closure, byte for byte as the index holds
	 * them, signed by the registry's key; returns its bytes.
	 */
	private byte[] assertPreloadDocument(Scope scope, PgMajor major, String key, String provider,
			String requiredVersion) {
		ExtIndex stored = storedIndex(scope, major);
		byte[] document = this.store.getBytes(key).orElseThrow();
		List<ExtIndexEntry> closure = stored.requiresClosure(List.of(provider));
		assertThat(document).isEqualTo(ExtIndexJson.writeCompact(ExtIndex.of(major, scope.tenant(), closure)));
		assertThat(ExtIndexJson.read(document).find("pre_base").orElseThrow().version().value())
			.isEqualTo(requiredVersion);
		new MetadataVerifier(TrustedKeys.of(List.of(RegistryTestInfrastructure.signingKey().publicKey())), true,
				VersionLedger.inMemory(), Clock.systemUTC())
			.verify(key, document, this.store.getBytes(key + MetadataSignature.SUFFIX).orElseThrow())
			.orElseThrow();
		return document;
	}

	private MetadataSignature signature(String key) {
		return MetadataSignature.parse(this.store.getBytes(key + MetadataSignature.SUFFIX).orElseThrow());
	}

	private void publishExtension(String token, String tenant, String name, String version, String requires,
			String library) throws Exception {
		TestArtifacts artifact = TestArtifacts.builder()
			.file("share/extension/" + name + ".control",
					"comment = 'preload test'\ndefault_version = '" + version + "'\nrelocatable = true\n"
							+ ((requires != null) ? "requires = '" + requires + "'\n" : ""))
			.file("share/extension/" + name + "--" + version + ".sql",
					"CREATE FUNCTION " + name + "_v() RETURNS text LANGUAGE sql AS $$SELECT '" + version + "'$$;\n");
		if (library != null) {
			artifact.file("lib/" + name + ".so",
					Files.readAllBytes(PostgresInstalls.shared(16).pkglibdir().resolve(library + ".so")), 0755);
		}
		RegistryClient.Response response = publish(token, tenant, TestArtifacts.metadata(name, version),
				Map.of("pg16", artifact.tarGz()));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

	private void assertCurrentEverywhere(String name, String version) {
		assertThat(manifest(18, null).find(name).orElseThrow().version().value()).isEqualTo(version);
		assertThat(storedIndex(Scope.PUBLIC, PgMajor.of(18)).find(name).orElseThrow().version().value())
			.isEqualTo(version);
		assertThat(new String(this.store
			.getBytes(StoreLayout.seedFile(Scope.PUBLIC, PgMajor.of(18), "share/extension/" + name + ".control"))
			.orElseThrow(), StandardCharsets.UTF_8)).contains("default_version = '" + version + "'");
		assertThat(api().get("/api/v1/extensions/" + name, null).json().path("extension").path("version").asString())
			.isEqualTo(version);
		JsonNode mirrored = JSON.readTree(this.store.getBytes("mirror/extensions/" + name + ".json").orElseThrow());
		assertThat(mirrored.path("latest").asString()).isEqualTo(version);
		assertThat(ExtIndexJson.read(this.store.getBytes("mirror/pg/18/ext_index.json").orElseThrow())
			.find(name)
			.orElseThrow()
			.version()
			.value()).isEqualTo(version);
	}

	/**
	 * Checks that the objects under the scope and major are exactly what the catalog
	 * calls for: the index holds the catalog's current entries (as the compute manifest,
	 * read from the catalog, shows them), each file it names has a seed copy with that
	 * digest, and nothing else is there.
	 */
	private void assertExactProjection(Scope scope, PgMajor major) {
		String scopeColumn = scope.isPublic() ? "" : scope.tenant().value();
		boolean anyRelease = this.jdbc
			.sql("select exists (select 1 from release_extension where scope = ? and pg_major = ?)")
			.params(scopeColumn, major.value())
			.query(Boolean.class)
			.single();
		String prefix = StoreLayout.scopePrefix(scope, major);
		Set<String> present = new TreeSet<>();
		for (ObjectInfo object : this.store.list(prefix)) {
			String rest = object.key().substring(prefix.length());
			if (rest.equals(StoreLayout.EXT_INDEX) || rest.startsWith("share/") || rest.startsWith("lib/")) {
				present.add(object.key());
			}
		}
		if (!anyRelease) {
			assertThat(present).as("objects of " + prefix).isEmpty();
			return;
		}
		Set<String> live = new TreeSet<>(this.jdbc
			.sql("select e.name from release_extension e join release r on r.id = e.release_id "
					+ "where e.scope = ? and e.pg_major = ? and r.yanked_at is null")
			.params(scopeColumn, major.value())
			.query(String.class)
			.list());
		List<ExtIndexEntry> expected = manifest(major.value(), scope.isPublic() ? null : scope.tenant().value())
			.extensions()
			.stream()
			.filter((entry) -> live.contains(entry.name().value()))
			.sorted(Comparator.comparing((ExtIndexEntry entry) -> entry.name().value()))
			.toList();
		ExtIndex stored = storedIndex(scope, major);
		assertThat(stored.extensions()).as("index of " + prefix)
			.usingRecursiveFieldByFieldElementComparator()
			.containsExactlyInAnyOrderElementsOf(expected);
		Set<String> expectedKeys = new TreeSet<>();
		expectedKeys.add(StoreLayout.extIndex(scope, major));
		for (ExtIndexEntry entry : stored.extensions()) {
			for (ExtFile file : entry.files()) {
				String key = StoreLayout.seedFile(scope, major, file.path());
				expectedKeys.add(key);
				assertThat(Sha256Digest.of(this.store.getBytes(key).orElseThrow())).as(key).isEqualTo(file.sha256());
			}
		}
		assertThat(present).as("objects of " + prefix).isEqualTo(expectedKeys);
		assertBlobsPresent(stored);
	}

	private void assertBlobsPresent(ExtIndex index) {
		for (ExtIndexEntry entry : index.extensions()) {
			for (ExtFile file : entry.files()) {
				assertThat(this.store.head(StoreLayout.blob(file.sha256()))).as(entry.name() + " " + file.path())
					.isPresent();
			}
		}
	}

	private ExtIndex storedIndex(Scope scope, PgMajor major) {
		return ExtIndexJson.read(this.store.getBytes(StoreLayout.extIndex(scope, major)).orElseThrow());
	}

	private ExtIndex manifest(int major, String tenant) {
		RegistryClient.Response response = api()
			.get("/api/v1/compute-manifests/" + major + ((tenant != null) ? "?tenant=" + tenant : ""), ADMIN_TOKEN);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		return ExtIndexJson.read(response.body());
	}

	private void publishVersion(String token, String tenant, String name, String version, String part) {
		RegistryClient.Response response = publish(token, tenant, TestArtifacts.metadata(name, version),
				Map.of(part, artifact(name, version)));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

	private static byte[] artifact(String name, String version) {
		return TestArtifacts.builder()
			.file("share/extension/" + name + ".control",
					"comment = 'projection test'\ndefault_version = '" + version + "'\nrelocatable = true\n")
			.file("share/extension/" + name + "--" + version + ".sql",
					"CREATE FUNCTION " + name + "_v() RETURNS text LANGUAGE sql AS $$SELECT '" + version + "'$$;\n")
			.tarGz();
	}

	private static Map<String, String> withoutBlobs(Map<String, String> objects) {
		Map<String, String> rest = new TreeMap<>(objects);
		rest.keySet().removeIf((key) -> key.startsWith("blobs/"));
		return rest;
	}

}
