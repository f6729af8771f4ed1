package dev.pgext.registry;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real contrib extensions of the PG 15 and PG 17 binaries go in through the HTTP API and
 * come back out as catalog entries, search hits, downloads and compute manifests whose
 * digests match the bytes in the store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogRoundTripIntegrationTests extends RegistryIntegrationTest {

	private static final List<String> CONTRIB = List.of("hstore", "pg_trgm", "pgcrypto", "pg_stat_statements", "citext",
			"cube", "earthdistance");

	private final Map<String, RegistryClient.Response> published = new LinkedHashMap<>();

	@BeforeAll
	void publishContribExtensions() {
		for (String name : CONTRIB) {
			String version = ContribExtension.of(PostgresInstalls.shared(17), name).control().defaultVersion();
			String provides = name.equals("pg_stat_statements")
					? ", \"provides\": {\"pg_stat_statements\": {\"file\": \"pg_stat_statements.sql\", "
							+ "\"preload\": \"server\"}}"
					: "";
			String tags = name.equals("pg_trgm") ? "[\"text\", \"search\", \"index\"]" : "[\"contrib\"]";
			String metadata = """
					{"name": "%s", "version": "%s-contrib", "abstract": "The %s contrib extension",
					 "description": "Shipped with PostgreSQL itself.", "license": "postgresql",
					 "maintainer": ["PostgreSQL Global Development Group"], "tags": %s%s,
					 "meta-spec": {"version": "1.0.0"}}
					""".formatted(name, version, name, tags, provides);
			// the 17 artifact's default version names the release; the 15 one may ship an
			// older default
			this.published.put(name,
					publish(ADMIN_TOKEN, null, metadata,
							Map.of("pg15", ContribExtension.of(PostgresInstalls.shared(15), name).tarGz(), "pg17",
									ContribExtension.of(PostgresInstalls.shared(17), name).tarGz())));
		}
	}

	@Test
	void everyContribExtensionIsPublished() {
		this.published.forEach((name, response) -> {
			assertThat(response.status()).as(name + ": " + response).isEqualTo(201);
			assertThat(response.headers().getLocation()).hasToString(
					"/api/v1/distributions/" + name + "/versions/" + response.json().path("version").asString());
		});
	}

	@Test
	void publishDerivesLibrariesRequiresAndPreload() {
		JsonNode hstore = extension(this.published.get("hstore").json(), "hstore", 17);
		assertThat(strings(hstore.path("libraries"))).containsExactly("hstore");
		assertThat(paths(hstore)).contains("lib/hstore.so", "share/extension/hstore.control",
				"share/extension/hstore--1.4.sql");
		JsonNode earthdistance = extension(this.published.get("earthdistance").json(), "earthdistance", 15);
		assertThat(strings(earthdistance.path("requires"))).containsExactly("cube");
		assertThat(extension(this.published.get("pg_stat_statements").json(), "pg_stat_statements", 17).path("preload")
			.asString()).isEqualTo("server");
		assertThat(extension(this.published.get("pgcrypto").json(), "pgcrypto", 17).path("trusted").asBoolean())
			.isTrue();
		assertThat(extension(this.published.get("citext").json(), "citext", 15).path("preload").asString())
			.isEqualTo("none");
	}

	@Test
	void extensionsAreListedAndFilteredByMajorAndTag() {
		JsonNode all = api().get("/api/v1/extensions?pg=17&size=500", null).json();
		List<String> names = new ArrayList<>();
		all.path("items").forEach((item) -> names.add(item.path("name").asString()));
		assertThat(names).containsAll(CONTRIB);
		JsonNode tagged = api().get("/api/v1/extensions?tag=search", null).json();
		assertThat(tagged.path("items")).extracting((item) -> item.path("name").asString()).containsExactly("pg_trgm");
		JsonNode detail = api().get("/api/v1/extensions/earthdistance", null).json();
		assertThat(detail.path("extension").path("pg_majors")).extracting(JsonNode::asInt).containsExactly(15, 17);
		assertThat(detail.path("versions")).hasSize(1);
	}

	@Test
	void filesDownloadByDigestWithTheirExactBytes() throws Exception {
		String version = this.published.get("pgcrypto").json().path("version").asString();
		RegistryClient.Response builds = api().get("/api/v1/extensions/pgcrypto/versions/" + version, null);
		assertThat(builds.status()).isEqualTo(200);
		int checked = 0;
		for (JsonNode build : builds.json()) {
			for (JsonNode file : build.path("files")) {
				RegistryClient.Response download = api().get("/api/v1/files/" + file.path("sha256").asString(), null);
				assertThat(download.status()).isEqualTo(200);
				assertThat(Sha256Digest.of(download.body()).hex()).isEqualTo(file.path("sha256").asString());
				assertThat((long) download.body().length).isEqualTo(file.path("size").asLong());
				checked++;
			}
		}
		assertThat(checked).isGreaterThan(4);
		String digest = builds.json().get(0).path("files").get(0).path("sha256").asString();
		RegistryClient.Response redirect = api().get("/api/v1/files/" + digest + "?redirect=true", null);
		assertThat(redirect.status()).isEqualTo(302);
		HttpResponse<byte[]> presigned = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(redirect.headers().getLocation()).build(),
					HttpResponse.BodyHandlers.ofByteArray());
		assertThat(presigned.statusCode()).isEqualTo(200);
		assertThat(Sha256Digest.of(presigned.body()).hex()).isEqualTo(digest);
		assertThat(api().get("/api/v1/files/" + "0".repeat(64), null).status()).isEqualTo(404);
	}

	@Test
	void searchRanksNameMatchesFirst() {
		JsonNode trgm = api().get("/api/v1/search?q=pg_trgm", null).json();
		assertThat(trgm.path("hits").get(0).path("name").asString()).isEqualTo("pg_trgm");
		JsonNode prefix = api().get("/api/v1/search?q=pg_tr", null).json();
		assertThat(prefix.path("hits").get(0).path("name").asString()).isEqualTo("pg_trgm");
		JsonNode cube = api().get("/api/v1/search?q=cube", null).json();
		assertThat(cube.path("hits").get(0).path("name").asString()).isEqualTo("cube");
		JsonNode similarity = api().get("/api/v1/search?q=trigram similarity", null).json();
		assertThat(similarity.path("hits")).extracting((hit) -> hit.path("name").asString()).contains("pg_trgm");
		JsonNode paged = api().get("/api/v1/search?q=contrib&size=2&page=1", null).json();
		assertThat(paged.path("hits")).hasSize(2);
		assertThat(paged.path("total").asLong()).isGreaterThanOrEqualTo(6);
	}

	@Test
	void computeManifestDigestsMatchTheBytesInTheStore() {
		awaitProjections();
		for (int major : List.of(15, 17)) {
			RegistryClient.Response response = api().get("/api/v1/compute-manifests/" + major, null);
			assertThat(response.status()).isEqualTo(200);
			ExtIndex manifest = ExtIndexJson.read(response.body());
			assertThat(manifest.tenant()).isNull();
			assertThat(manifest.extensions()).extracting((e) -> e.name().value()).containsAll(CONTRIB);
			assertThat(manifest.find("earthdistance").orElseThrow().requires()).containsExactly("cube");
			for (ExtIndexEntry entry : manifest.extensions()) {
				for (ExtFile file : entry.files()) {
					byte[] blob = this.store.getBytes(StoreLayout.blob(file.sha256())).orElseThrow();
					assertThat(Sha256Digest.of(blob)).as(file.path()).isEqualTo(file.sha256());
					assertThat((long) blob.length).isEqualTo(file.size());
					byte[] seed = this.store
						.getBytes(StoreLayout.seedFile(Scope.PUBLIC, PgMajor.of(major), file.path()))
						.orElseThrow();
					assertThat(Sha256Digest.of(seed)).as("seed copy of " + file.path()).isEqualTo(file.sha256());
				}
			}
			// the public manifest is, byte for byte, the ext_index.json the loader reads
			// from the store
			assertThat(this.store.getBytes(StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(major))).orElseThrow())
				.isEqualTo(response.body());
		}
	}

	@Test
	void manifestIsNotSentAgainWhileItsEtagMatches() {
		RegistryClient.Response first = api().get("/api/v1/compute-manifests/17", null);
		String etag = first.headers().getETag();
		assertThat(etag).isEqualTo("\"sha256:" + Sha256Digest.of(first.body()).hex() + "\"");
		RegistryClient.Response again = api().get("/api/v1/compute-manifests/17", null, Map.of("If-None-Match", etag));
		assertThat(again.status()).isEqualTo(304);
		assertThat(again.body()).isEmpty();
		assertThat(api().get("/api/v1/compute-manifests/13", null).problemType())
			.isEqualTo("https://pgext.dev/problems/unknown-pg-major");
	}

	@Test
	void privateExtensionsAreVisibleOnlyToTheirTenant() {
		String acme = userToken("acme-ci", "acme", "publish");
		String globex = userToken("globex-ci", "globex", "publish");
		RegistryClient.Response secret = publish(acme, "acme", TestArtifacts.metadata("acme_secret", "1.0"),
				Map.of("pg17", TestArtifacts.sqlExtension("acme_secret").tarGz()));
		assertThat(secret.status()).as(secret.toString()).isEqualTo(201);
		// the tenant's own build of citext replaces the public one in its manifest
		RegistryClient.Response citext = publish(acme, "acme", TestArtifacts.metadata("acme_citext", "9.9.0-acme"),
				Map.of("pg17", ContribExtension.of(PostgresInstalls.shared(17), "citext").tarGz()));
		assertThat(citext.status()).as(citext.toString()).isEqualTo(201);

		RegistryClient.Response manifest = api().get("/api/v1/compute-manifests/17?tenant=acme", acme);
		assertThat(manifest.status()).isEqualTo(200);
		ExtIndex index = ExtIndexJson.read(manifest.body());
		assertThat(index.tenant()).isEqualTo(TenantId.of("acme"));
		assertThat(index.find("acme_secret")).isPresent();
		assertThat(index.find("citext").orElseThrow().version().value()).isEqualTo("9.9.0-acme");
		assertThat(index.find("hstore")).isPresent();
		for (ExtFile file : index.find("acme_secret").orElseThrow().files()) {
			assertThat(Sha256Digest.of(this.store.getBytes(StoreLayout.blob(file.sha256())).orElseThrow()))
				.isEqualTo(file.sha256());
		}
		awaitProjections();
		Scope acmeScope = Scope.tenant(TenantId.of("acme"));
		assertThat(this.store.head(StoreLayout.extIndex(acmeScope, PgMajor.of(17)))).isPresent();
		assertThat(
				this.store.head(StoreLayout.seedFile(acmeScope, PgMajor.of(17), "share/extension/acme_secret.control")))
			.isPresent();
		assertThat(api().get("/api/v1/compute-manifests/17?tenant=acme", ADMIN_TOKEN).status()).isEqualTo(200);

		ExtIndex publicIndex = ExtIndexJson.read(api().get("/api/v1/compute-manifests/17", null).body());
		assertThat(publicIndex.find("acme_secret")).isEmpty();
		assertThat(publicIndex.find("citext").orElseThrow().version().value()).endsWith("-contrib");
		ExtIndex globexIndex = ExtIndexJson
			.read(api().get("/api/v1/compute-manifests/17?tenant=globex", globex).body());
		assertThat(globexIndex.find("acme_secret")).isEmpty();

		RegistryClient.Response foreign = api().get("/api/v1/extensions/acme_secret?tenant=acme", globex);
		assertThat(foreign.status()).isEqualTo(403);
		assertThat(foreign.problemType()).isEqualTo("https://pgext.dev/problems/forbidden");
		RegistryClient.Response foreignManifest = api().get("/api/v1/compute-manifests/17?tenant=acme", globex);
		assertThat(foreignManifest.status()).isEqualTo(403);
		RegistryClient.Response anonymous = api().get("/api/v1/compute-manifests/17?tenant=acme", null);
		assertThat(anonymous.status()).isEqualTo(401);
		assertThat(anonymous.problemType()).isEqualTo("https://pgext.dev/problems/unauthenticated");
		assertThat(api().get("/api/v1/extensions/acme_secret", globex).status()).isEqualTo(404);
		String secretDigest = index.find("acme_secret").orElseThrow().files().get(0).sha256().hex();
		// answered like a digest nobody published, so that it cannot be probed
		assertThat(api().get("/api/v1/files/" + secretDigest, globex).status()).isEqualTo(404);
		assertThat(api().get("/api/v1/files/" + secretDigest, acme).status()).isEqualTo(200);
		assertThat(api().get("/api/v1/search?q=acme_secret", globex).json().path("hits")).isEmpty();
		assertThat(api().get("/api/v1/search?q=acme_secret&tenant=acme", acme)
			.json()
			.path("hits")
			.get(0)
			.path("tenant")
			.asString()).isEqualTo("acme");
	}

	@Test
	void zstdArtifactsArePublishedLikeGzipOnes() {
		RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("zstd_demo", "1.0"),
				Map.of("pg16", TestArtifacts.sqlExtension("zstd_demo").tarZst()));
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
		assertThat(ExtIndexJson.read(api().get("/api/v1/compute-manifests/16", null).body()).find("zstd_demo"))
			.isPresent();
	}

	@Test
	void everyMutationIsAudited() {
		List<String> actions = this.jdbc
			.sql("select action || ' ' || target from audit_event where actor = 'admin' order by id")
			.query(String.class)
			.list();
		assertThat(actions).contains("release.publish hstore", "release.publish earthdistance");
	}

	private static JsonNode extension(JsonNode release, String name, int major) {
		for (JsonNode extension : release.path("extensions")) {
			if (extension.path("name").asString().equals(name) && extension.path("pg_major").asInt() == major) {
				return extension;
			}
		}
		throw new AssertionError("no " + name + " for PG " + major + " in " + release);
	}

	private static List<String> strings(JsonNode array) {
		List<String> strings = new ArrayList<>();
		array.forEach((item) -> strings.add(item.asString()));
		return strings;
	}

	private static List<String> paths(JsonNode extension) {
		List<String> paths = new ArrayList<>();
		extension.path("files").forEach((file) -> paths.add(file.path("path").asString()));
		return paths;
	}

}
