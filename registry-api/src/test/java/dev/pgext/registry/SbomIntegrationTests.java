package dev.pgext.registry;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.elf.ElfFile;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.CycloneDxDocuments;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CycloneDX SBOMs served next to what they describe and signed like every other document:
 * a real release with a C library (contrib's pgcrypto for PG 15 and 17) gets one at
 * publish, and a bundle registers with the one inside it.
 */
class SbomIntegrationTests extends RegistryIntegrationTest {

	private static final String PROBLEMS = "https://pgext.dev/problems/";

	private static final String CYCLONEDX = "application/vnd.cyclonedx+json";

	private static MetadataVerifier verifier() {
		return new MetadataVerifier(TrustedKeys.of(List.of(RegistryTestInfrastructure.signingKey().publicKey())), true,
				VersionLedger.inMemory(), Clock.systemUTC());
	}

	@Test
	void aPublishedReleaseWithACLibraryHasASignedSbomOfItsFilesLicenceAndLinkedLibraries() throws Exception {
		String token = userToken("sbom-ci", "sbomtest", "publish");
		String metadata = """
				{"name": "pgcrypto", "version": "1.3.0", "abstract": "Cryptographic functions",
				 "license": "postgresql", "maintainer": ["PostgreSQL Global Development Group"],
				 "meta-spec": {"version": "1.0.0"}}
				""";
		Map<String, ContribExtension> builds = new LinkedHashMap<>();
		builds.put("15", ContribExtension.of(PostgresInstalls.shared(15), "pgcrypto"));
		builds.put("17", ContribExtension.of(PostgresInstalls.shared(17), "pgcrypto"));
		RegistryClient.Response published = publish(token, "sbomtest", metadata,
				Map.of("pg15", builds.get("15").tarGz(), "pg17", builds.get("17").tarGz()));
		assertThat(published.status()).as(published.toString()).isEqualTo(201);

		String path = "/api/v1/distributions/pgcrypto/versions/1.3.0/sbom?tenant=sbomtest";
		RegistryClient.Response response = api().get(path, token);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		assertThat(response.headers().getContentType().toString()).isEqualTo(CYCLONEDX);
		assertThat(CycloneDxDocuments.problems(response.body())).isEmpty();
		JsonNode sbom = response.json();
		assertThat(sbom.at("/metadata/component/name").asString()).isEqualTo("pgcrypto");
		assertThat(sbom.at("/metadata/component/version").asString()).isEqualTo("1.3.0");
		// META.json says "postgresql": the SPDX identifier, as SPDX spells it
		assertThat(sbom.at("/metadata/component/licenses/0/license/id").asString()).isEqualTo("PostgreSQL");

		Map<String, JsonNode> components = new TreeMap<>();
		sbom.path("components").forEach((c) -> components.put(c.path("bom-ref").asString(), c));
		Map<String, List<String>> dependsOn = new TreeMap<>();
		sbom.path("dependencies").forEach((d) -> {
			List<String> refs = new ArrayList<>();
			d.path("dependsOn").forEach((r) -> refs.add(r.asString()));
			dependsOn.put(d.path("ref").asString(), refs);
		});
		for (Map.Entry<String, ContribExtension> build : builds.entrySet()) {
			String ref = "extension:pgcrypto:pg" + build.getKey() + ":linux-amd64-gnu";
			JsonNode extension = components.get(ref);
			assertThat(extension).as(ref).isNotNull();
			assertThat(extension.path("version").asString()).isEqualTo(build.getValue().control().defaultVersion());
			assertThat(extension.path("properties").findValuesAsString("value")).contains(build.getKey(),
					"linux-amd64-gnu");
			Map<String, String> files = new TreeMap<>();
			extension.path("components")
				.forEach((f) -> files.put(f.path("name").asString(), f.at("/hashes/0/content").asString()));
			Map<String, String> expected = new TreeMap<>();
			for (Map.Entry<String, java.nio.file.Path> file : build.getValue().files().entrySet()) {
				expected.put(file.getKey(), Sha256Digest.of(file.getValue()).hex());
			}
			assertThat(files).isEqualTo(expected);
			// the library's DT_NEEDED, read here from the file itself, are its
			// dependencies
			List<String> needed = new ArrayList<>();
			for (String soname : ElfFile.read(build.getValue().files().get("lib/pgcrypto.so")).needed()) {
				needed.add("needed:" + soname);
			}
			assertThat(needed).contains("needed:libc.so.6");
			assertThat(dependsOn.get(ref + ":lib/pgcrypto.so")).containsExactlyInAnyOrderElementsOf(needed);
			needed.forEach((n) -> assertThat(components).containsKey(n));
		}

		// signed like every document: the header, and the same signature at .../signature
		String header = response.headers().getFirst(MetadataSignature.HEADER);
		assertThat(header).isNotNull();
		byte[] signature = Base64.getDecoder().decode(header);
		assertThat(verifier().verify("releases/sbomtest/pgcrypto/1.3.0/sbom.cdx.json", response.body(), signature))
			.isPresent();
		RegistryClient.Response detached = api()
			.get("/api/v1/distributions/pgcrypto/versions/1.3.0/sbom/signature?tenant=sbomtest", token);
		assertThat(detached.status()).isEqualTo(200);
		assertThat(MetadataSignature.parse(detached.body()).sha256()).isEqualTo(Sha256Digest.of(response.body()));

		// another tenant's release is not there for the public, nor is a version never
		// published
		RegistryClient.Response anonymous = api()
			.get("/api/v1/distributions/pgcrypto/versions/1.3.0/sbom?tenant=sbomtest", null);
		assertThat(anonymous.status()).isIn(401, 403);
		RegistryClient.Response unknown = api().get("/api/v1/distributions/pgcrypto/versions/9.9.9/sbom", null);
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.problemType()).isEqualTo(PROBLEMS + "not-found");
	}

	@Test
	void aBundleRegistersWithItsSbomWhichIsServedAndSigned() {
		byte[] sbom = minimalSbom("15.19");
		byte[] bundle = upload("a bundle carrying an SBOM");
		String hex = Sha256Digest.of(bundle).hex();
		RegistryClient.Response created = api().postJson("/api/v1/bundles", ADMIN_TOKEN, request(bundle, sbom, sbom));
		assertThat(created.status()).as(created.toString()).isEqualTo(201);

		RegistryClient.Response served = api().get("/api/v1/bundles/" + hex + "/sbom", null);
		assertThat(served.status()).isEqualTo(200);
		assertThat(served.headers().getContentType().toString()).isEqualTo(CYCLONEDX);
		assertThat(served.body()).isEqualTo(sbom);
		byte[] signature = api().get("/api/v1/bundles/" + hex + "/sbom/signature", null).body();
		assertThat(verifier().verify("bundles/" + hex + "/sbom.cdx.json", served.body(), signature)).isPresent();
		// each answer is signed when it is made, so the header and the detached document
		// may differ in their expiry: both must verify for these bytes
		assertThat(verifier().verify("bundles/" + hex + "/sbom.cdx.json", served.body(),
				Base64.getDecoder().decode(served.headers().getFirst(MetadataSignature.HEADER))))
			.isPresent();
	}

	@Test
	void aBundleSbomThatIsNotTheListedFileOrNotCycloneDxIsRefused() {
		byte[] listed = minimalSbom("15.19");
		byte[] bundle = upload("a bundle whose SBOM is swapped");
		RegistryClient.Response swapped = api().postJson("/api/v1/bundles", ADMIN_TOKEN,
				request(bundle, listed, minimalSbom("15.18")));
		assertThat(swapped.status()).isEqualTo(422);
		assertThat(swapped.problemType()).isEqualTo(PROBLEMS + "invalid-bundle");
		assertThat(swapped.json().path("detail").asString()).contains("is not the sbom.cdx.json the manifest lists");

		byte[] notCycloneDx = "{\"bomFormat\":\"SPDX\"}".getBytes(StandardCharsets.UTF_8);
		RegistryClient.Response invalid = api().postJson("/api/v1/bundles", ADMIN_TOKEN,
				request(bundle, notCycloneDx, notCycloneDx));
		assertThat(invalid.status()).isEqualTo(422);
		assertThat(invalid.problemType()).isEqualTo(PROBLEMS + "invalid-sbom");

		Map<String, Object> missing = new LinkedHashMap<>(request(bundle, listed, listed));
		missing.remove("sbom");
		RegistryClient.Response without = api().postJson("/api/v1/bundles", ADMIN_TOKEN, missing);
		assertThat(without.status()).isEqualTo(422);
		assertThat(without.problemType()).isEqualTo(PROBLEMS + "invalid-bundle");
		assertThat(api().get("/api/v1/bundles/" + Sha256Digest.of(bundle).hex(), null).status()).isEqualTo(404);
	}

	@Test
	void aBundleRegisteredWithoutAnSbomAndAnUnknownBundleAnswerAProblem() {
		byte[] bundle = upload("a bundle built before SBOMs");
		Map<String, Object> old = Map.of("sha256", Sha256Digest.of(bundle).hex(), "size", bundle.length, "pg_versions",
				Map.of("15", "15.19"), "manifest", Map.of("launcher", "LAUNCHER"));
		assertThat(api().postJson("/api/v1/bundles", ADMIN_TOKEN, old).status()).isEqualTo(201);
		RegistryClient.Response none = api().get("/api/v1/bundles/" + Sha256Digest.of(bundle).hex() + "/sbom", null);
		assertThat(none.status()).isEqualTo(404);
		assertThat(none.json().path("detail").asString()).contains("without an SBOM");
		RegistryClient.Response unknown = api().get(
				"/api/v1/bundles/" + Sha256Digest.of("nothing".getBytes(StandardCharsets.UTF_8)).hex() + "/sbom", null);
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(api().get("/api/v1/bundles/not-a-digest/sbom", null).status()).isEqualTo(400);
	}

	private byte[] upload(String content) {
		byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
		this.store.put(StoreLayout.bundle(Sha256Digest.of(bytes)), bytes, "application/zstd");
		return bytes;
	}

	/**
	 * A registration whose manifest lists {@code listed} and which sends {@code sent}.
	 */
	private static Map<String, Object> request(byte[] bundle, byte[] listed, byte[] sent) {
		Map<String, Object> file = Map.of("path", "sbom.cdx.json", "type", "file", "mode", "0644", "size",
				listed.length, "sha256", Sha256Digest.of(listed).hex());
		Map<String, Object> request = new LinkedHashMap<>();
		request.put("sha256", Sha256Digest.of(bundle).hex());
		request.put("size", bundle.length);
		request.put("pg_versions", Map.of("15", "15.19"));
		request.put("manifest", Map.of("launcher", "LAUNCHER", "sbom", "sbom.cdx.json", "files", List.of(file)));
		request.put("sbom", new String(sent, StandardCharsets.UTF_8));
		return request;
	}

	private static byte[] minimalSbom(String version) {
		return ("""
				{
				  "bomFormat" : "CycloneDX",
				  "specVersion" : "1.6",
				  "serialNumber" : "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
				  "version" : 1,
				  "components" : [ {
				    "type" : "application",
				    "bom-ref" : "postgresql-15",
				    "name" : "postgresql",
				    "version" : "%s",
				    "licenses" : [ { "license" : { "id" : "PostgreSQL" } } ]
				  } ]
				}
				""".formatted(version)).getBytes(StandardCharsets.UTF_8);
	}

}
