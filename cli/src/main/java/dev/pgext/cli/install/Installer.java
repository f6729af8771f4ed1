package dev.pgext.cli.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.pack.Metadata;
import dev.pgext.cli.pack.Platform;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.model.elf.ElfFile;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.model.place.ContentMismatchException;
import dev.pgext.model.place.FilePlacement;

/**
 * Works out what installing an extension changes in an installation, and changes it.
 * <p>
 * The extension and, dependencies first, everything in its {@code requires} come from the
 * registry's compute manifest for the installation's major (an older version by its exact
 * version from the catalog); a required extension the installation already has (such as
 * one that ships with Postgres) is left as it is. Every file that is not already there
 * with the same bytes is downloaded and verified into a staged file next to its target
 * first; only when all of them are verified are they renamed into place (libraries, then
 * scripts, then control files, so Postgres never sees a control file whose scripts are
 * missing), and the directories fsynced. A download that does not match its sha256
 * therefore places nothing.
 */
final class Installer {

	private static final JsonMapper LENIENT = DocumentJson.COMPACT;

	private final RegistryClient client;

	private final InstallTarget target;

	private final String tenant;

	Installer(RegistryClient client, InstallTarget target, String tenant) {
		this.client = client;
		this.target = target;
		this.tenant = tenant;
	}

	/** How one file of the plan changes the installation. */
	enum Change {

		ADD("add"), REPLACE("replace"), UNCHANGED("same");

		final String label;

		Change(String label) {
			this.label = label;
		}

	}

	/**
	 * One file of the plan.
	 *
	 * @param extension the extension it belongs to
	 * @param file the file as the registry lists it
	 * @param path where it goes
	 * @param change what placing it changes
	 */
	record Step(ExtIndexEntry extension, ExtFile file, Path path, Change change) {
	}

	/**
	 * What an install does.
	 *
	 * @param extensions the extensions to place, dependencies first
	 * @param alreadyThere required extensions the installation has already, left alone
	 * @param steps every file of those extensions
	 */
	record Plan(List<ExtIndexEntry> extensions, List<String> alreadyThere, List<Step> steps) {

		boolean changesNothing() {
			return this.steps.stream().allMatch((step) -> step.change() == Change.UNCHANGED);
		}

		long changed() {
			return this.steps.stream().filter((step) -> step.change() != Change.UNCHANGED).count();
		}

	}

	Plan plan(String name, String version) {
		ExtIndex index = manifest();
		ExtIndexEntry root = entry(index, name, version);
		List<ExtIndexEntry> ordered = new ArrayList<>();
		Set<String> alreadyThere = new LinkedHashSet<>();
		visit(index, root, new LinkedHashSet<>(), ordered, alreadyThere);
		List<Step> steps = new ArrayList<>();
		Set<Path> seen = new LinkedHashSet<>();
		for (ExtIndexEntry extension : ordered) {
			for (ExtFile file : extension.files()) {
				Path path = this.target.resolve(file.path());
				if (!seen.add(path)) {
					continue;
				}
				steps.add(new Step(extension, file, path, change(path, file)));
			}
		}
		return new Plan(ordered, List.copyOf(alreadyThere), steps);
	}

	private ExtIndex manifest() {
		byte[] json = this.client.getBytes("/api/v1/compute-manifests/" + this.target.major().value()
				+ ((this.tenant != null) ? "?tenant=" + RegistryClient.encode(this.tenant) : ""));
		try {
			return ExtIndexJson.read(json);
		}
		catch (IllegalArgumentException ex) {
			throw new CliException(ExitCode.REFUSED,
					"the registry's compute manifest cannot be read: " + ex.getMessage());
		}
	}

	/**
	 * The manifest's entry, or the catalog's build of an exact older (or yanked) version.
	 */
	private ExtIndexEntry entry(ExtIndex index, String name, String version) {
		Optional<ExtIndexEntry> current = index.find(name);
		if (version == null) {
			return current.orElseThrow(() -> new CliException(ExitCode.REFUSED,
					"the registry has no extension " + name + " for PostgreSQL " + this.target.major().value()
							+ ((this.tenant != null) ? " (tenant " + this.tenant + ")" : "")));
		}
		String normal = (Metadata.normalizedVersion(version) != null) ? Metadata.normalizedVersion(version) : version;
		if (current.isPresent() && current.get().version().value().equals(normal)) {
			return current.get();
		}
		JsonNode builds = this.client
			.get("/api/v1/extensions/" + RegistryClient.encode(name) + "/versions/" + RegistryClient.encode(normal)
					+ ((this.tenant != null) ? "?tenant=" + RegistryClient.encode(this.tenant) : ""));
		for (JsonNode build : builds) {
			if (build.path("pg_major").asInt() == this.target.major().value()) {
				ObjectNode entry = ((ObjectNode) build).deepCopy();
				entry.remove(List.of("pg_major", "tenant", "distribution"));
				try {
					return LENIENT.treeToValue(entry, ExtIndexEntry.class);
				}
				catch (JacksonException | IllegalArgumentException ex) {
					throw new CliException(ExitCode.REFUSED,
							"the registry's answer for " + name + " " + normal + " cannot be read: " + ex.getMessage());
				}
			}
		}
		throw new CliException(ExitCode.REFUSED,
				name + " " + normal + " has no build for PostgreSQL " + this.target.major().value());
	}

	private void visit(ExtIndex index, ExtIndexEntry entry, Set<String> path, List<ExtIndexEntry> ordered,
			Set<String> alreadyThere) {
		String name = entry.name().value();
		if (!path.add(name)) {
			return;
		}
		for (String required : entry.requires()) {
			if (ordered.stream().anyMatch((e) -> e.name().value().equals(required)) || alreadyThere.contains(required)
					|| path.contains(required)) {
				continue;
			}
			if (Files.isRegularFile(this.target.extensionDir().resolve(required + ".control"))) {
				alreadyThere.add(required);
				continue;
			}
			ExtIndexEntry dependency = index.find(required)
				.orElseThrow(() -> new CliException(ExitCode.REFUSED,
						name + " requires " + required
								+ ", which neither the installation nor the registry (PostgreSQL "
								+ this.target.major().value() + ") has"));
			visit(index, dependency, path, ordered, alreadyThere);
		}
		ordered.add(entry);
	}

	private static Change change(Path path, ExtFile file) {
		try {
			if (FilePlacement.hasContent(path, file)) {
				return Change.UNCHANGED;
			}
			return Files.exists(path) ? Change.REPLACE : Change.ADD;
		}
		catch (IOException ex) {
			throw CliException.local("cannot read " + path + ": " + CliException.describe(ex));
		}
	}

	/**
	 * Downloads, verifies and places every changed file of {@code plan}; on failure
	 * nothing is placed.
	 */
	void apply(Plan plan, PrintWriter out) {
		List<Step> changed = plan.steps()
			.stream()
			.filter((step) -> step.change() != Change.UNCHANGED)
			.sorted(Comparator.comparingInt(Installer::placementOrder))
			.toList();
		Map<Step, Path> staged = new LinkedHashMap<>();
		try {
			for (Step step : changed) {
				Files.createDirectories(step.path().getParent());
				Path part = FilePlacement.stagedSibling(step.path());
				staged.put(step, part);
				try (InputStream in = this.client.download("/api/v1/files/" + step.file().sha256().hex())) {
					FilePlacement.receive(in, step.file(), part, FilePlacement.Flow.NONE);
				}
				if (step.file().isLibrary() && step.file().fileName().endsWith(".so")) {
					checkPlatform(step.file(), part);
				}
				out.println("  verified " + step.file().path() + " (" + step.file().size() + " bytes, sha256 "
						+ step.file().sha256().hex().substring(0, 12) + "...)");
			}
			Set<Path> directories = new LinkedHashSet<>();
			for (Map.Entry<Step, Path> part : staged.entrySet()) {
				FilePlacement.promote(part.getValue(), part.getKey().path());
				directories.add(part.getKey().path().getParent());
			}
			staged.clear();
			for (Path directory : directories) {
				FilePlacement.syncDirectory(directory);
			}
		}
		catch (ContentMismatchException ex) {
			throw new CliException(ExitCode.NETWORK, "download refused, nothing was placed: " + ex.getMessage(), ex);
		}
		catch (FileSystemException ex) {
			throw new CliException(ExitCode.LOCAL, "cannot write into the installation: " + CliException.describe(ex),
					ex);
		}
		catch (IOException ex) {
			throw new CliException(ExitCode.NETWORK, "downloading failed: " + CliException.describe(ex), ex);
		}
		finally {
			for (Path part : staged.values()) {
				try {
					Files.deleteIfExists(part);
				}
				catch (IOException ex) {
					out.println("  could not remove " + part + ": " + CliException.describe(ex));
				}
			}
		}
	}

	/**
	 * The registry keeps one build per major, not per platform: a library built for
	 * another machine than this one would only fail at {@code CREATE EXTENSION}, so it is
	 * refused here, before anything is placed.
	 */
	private static void checkPlatform(ExtFile file, Path content) throws IOException {
		Platform host;
		try {
			host = Platform.host();
		}
		catch (CliException ex) {
			// a machine pgext has no name for: nothing to compare with
			return;
		}
		ElfFile elf = ElfFile.read(content);
		if (elf.machine() != host.elfMachine()) {
			throw CliException.local(file.path() + " is built for ELF machine " + elf.machine() + ", not for this "
					+ host.name() + " machine (" + host.elfMachine() + "); nothing was placed");
		}
	}

	/** Libraries first, then scripts and other files, control files last. */
	private static int placementOrder(Step step) {
		if (step.file().isLibrary()) {
			return 0;
		}
		return step.file().fileName().endsWith(".control") ? 2 : 1;
	}

}
