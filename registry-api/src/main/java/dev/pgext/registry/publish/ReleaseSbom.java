package dev.pgext.registry.publish;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.metadata.ToolInformation;

import dev.pgext.model.elf.ElfFile;
import dev.pgext.model.sbom.CycloneDxJson;

/**
 * A release's CycloneDX SBOM, written by the CycloneDX library when the release is
 * published: the distribution as the described component (version, the licence of its
 * META.json), each extension per Postgres major and platform as a component with every
 * file and its sha256, and the shared libraries its libraries link ({@code DT_NEEDED})
 * but do not ship as components its library files depend on.
 * <p>
 * It is built from the artifact's bytes, which are only at hand while publishing (the
 * catalog keeps digests, not ELF headers), and the release is immutable, so it is written
 * once, with the release, like the file digests. The same release gives the same bytes:
 * the timestamp is the publication time, the serial a name-based UUID of the content.
 */
final class ReleaseSbom {

	private static final String PROPERTY_PREFIX = "pgext:";

	private ReleaseSbom() {
	}

	/**
	 * The SBOM of a release.
	 * @param metadata the release's META.json
	 * @param tenant the tenant of a private release, or {@code null}
	 * @param extensions its extensions, with their files still on disk
	 * @param publishedAt the publication time, the SBOM's timestamp
	 */
	static byte[] write(ReleaseMetadata metadata, String tenant, List<PlannedExtension> extensions,
			Instant publishedAt) {
		Bom bom = new Bom();
		Metadata meta = new Metadata();
		meta.setTimestamp(Date.from(publishedAt));
		Component tool = new Component();
		tool.setType(Component.Type.APPLICATION);
		tool.setName("pgext registry-api");
		ToolInformation tools = new ToolInformation();
		tools.setComponents(List.of(tool));
		meta.setToolChoice(tools);
		Component release = new Component();
		release.setType(Component.Type.LIBRARY);
		release.setBomRef("release");
		release.setName(metadata.name());
		release.setVersion(metadata.version());
		release.setDescription(metadata.summary());
		LicenseChoice licenses = licenses(metadata.license());
		release.setLicenses(licenses);
		if (tenant != null) {
			release.setProperties(List.of(property("tenant", tenant)));
		}
		meta.setComponent(release);
		bom.setMetadata(meta);

		List<PlannedExtension> sorted = new ArrayList<>(extensions);
		sorted.sort(Comparator.comparing(PlannedExtension::name)
			.thenComparing((e) -> e.major().value())
			.thenComparing((e) -> e.platform().toString()));
		List<Component> components = new ArrayList<>();
		Map<String, Set<String>> needs = new TreeMap<>();
		Set<String> needed = new TreeSet<>();
		for (PlannedExtension extension : sorted) {
			String ref = "extension:" + extension.name() + ":pg" + extension.major() + ":" + extension.platform();
			Component component = new Component();
			component.setType(Component.Type.LIBRARY);
			component.setBomRef(ref);
			component.setName(extension.name());
			component.setVersion(extension.version());
			component.setLicenses(licenses(metadata.license()));
			component.setProperties(List.of(property("pg_major", extension.major().toString()),
					property("platform", extension.platform().toString())));
			Set<String> shipped = new TreeSet<>();
			extension.files().forEach((f) -> shipped.add(f.fileName()));
			List<ArtifactFile> files = new ArrayList<>(extension.files());
			files.sort(Comparator.comparing(ArtifactFile::path));
			List<Component> fileComponents = new ArrayList<>();
			for (ArtifactFile file : files) {
				Component fileComponent = new Component();
				fileComponent.setType(Component.Type.FILE);
				fileComponent.setBomRef(ref + ":" + file.path());
				fileComponent.setName(file.path());
				fileComponent.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, file.sha256().hex())));
				fileComponents.add(fileComponent);
				Set<String> linked = new TreeSet<>(needed(file));
				linked.removeAll(shipped);
				if (!linked.isEmpty()) {
					needs.put(fileComponent.getBomRef(), linked);
					needed.addAll(linked);
				}
			}
			component.setComponents(fileComponents);
			components.add(component);
		}
		for (String soname : needed) {
			Component library = new Component();
			library.setType(Component.Type.LIBRARY);
			library.setBomRef("needed:" + soname);
			library.setName(soname);
			library.setDescription("a shared library the release's libraries link (DT_NEEDED) and the platform "
					+ "provides; not part of the release");
			components.add(library);
		}
		bom.setComponents(components);
		List<Dependency> dependencies = new ArrayList<>();
		needs.forEach((file, sonames) -> {
			Dependency dependency = new Dependency(file);
			sonames.forEach((soname) -> dependency.addDependency(new Dependency("needed:" + soname)));
			dependencies.add(dependency);
		});
		if (!dependencies.isEmpty()) {
			bom.setDependencies(dependencies);
		}
		return CycloneDxJson.write(bom);
	}

	/** The sonames an ELF library file links; none for any other file. */
	private static List<String> needed(ArtifactFile file) {
		if (!file.path().startsWith("lib/")) {
			return List.of();
		}
		try {
			return ElfFile.isElf(file.content()) ? ElfFile.read(file.content()).needed() : List.of();
		}
		catch (IOException ex) {
			// the publish checks read every library already; a file they accepted but
			// this
			// reader cannot is described without its links rather than failing the
			// publish
			return List.of();
		}
	}

	/**
	 * META.json's licence: an SPDX identifier (compared without case, as PGXN writes
	 * {@code postgresql}) as its identifier, anything else (an expression, a PGXN name
	 * SPDX does not know) as the declared name; none when META.json names none.
	 */
	static LicenseChoice licenses(String declared) {
		if (declared == null || declared.isBlank()) {
			return null;
		}
		License license = new License();
		CycloneDxJson.spdxId(declared.strip()).ifPresentOrElse(license::setId, () -> license.setName(declared));
		LicenseChoice choice = new LicenseChoice();
		choice.addLicense(license);
		return choice;
	}

	private static Property property(String name, String value) {
		return new Property(PROPERTY_PREFIX + name, value);
	}

}
