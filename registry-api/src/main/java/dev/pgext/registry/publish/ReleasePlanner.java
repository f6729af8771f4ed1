package dev.pgext.registry.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.PgMajor;
import dev.pgext.model.control.ControlFile;
import dev.pgext.model.control.ControlFileException;
import dev.pgext.model.control.ControlFileParser;
import dev.pgext.model.control.ExtensionScripts;
import dev.pgext.model.control.LibraryReferences;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.registry.problem.RegistryException;

/**
 * Checks the extensions of one extracted artifact and derives what the loader needs:
 * control files must parse, the version being published must be installable (an install
 * script, or update scripts leading to it from one), every library an extension loads
 * must be in the artifact, in an extension it requires or in Postgres itself, and each
 * extension gets its scripts, the libraries it loads and any files no single extension
 * claims. An artifact without any control file but with libraries is a release of library
 * modules (such as {@code auto_explain}): each library becomes an entry of its own,
 * without a control file.
 */
final class ReleasePlanner {

	/** The libraries the extensions of the catalog that an artifact requires provide. */
	interface RequiredLibraries {

		Set<String> of(Collection<String> requiredExtensions);

	}

	private ReleasePlanner() {
	}

	static List<PlannedExtension> plan(ReleaseMetadata metadata, PgMajor major, String label,
			Map<String, ArtifactFile> files) {
		return plan(metadata, major, label, files, (required) -> Set.of());
	}

	static List<PlannedExtension> plan(ReleaseMetadata metadata, PgMajor major, String label,
			Map<String, ArtifactFile> files, RequiredLibraries requiredLibraries) {
		Map<String, ControlFile> controls = new TreeMap<>();
		Map<String, String> controlTexts = new HashMap<>();
		for (ArtifactFile file : files.values()) {
			if (file.directory().equals("share/extension") && file.fileName().endsWith(".control")
					&& !file.fileName().contains("--")) {
				String text = read(file);
				try {
					ControlFile control = ControlFileParser.parse(file.fileName(), text);
					controls.put(control.name(), control);
					controlTexts.put(control.name(), text);
				}
				catch (ControlFileException ex) {
					throw RegistryException.unprocessable("invalid-control-file", label + ": " + ex.getMessage());
				}
			}
		}
		if (controls.isEmpty()) {
			return libraryModules(metadata, major, label, files);
		}
		for (String provided : metadata.provides().keySet()) {
			if (!controls.containsKey(provided)) {
				throw RegistryException.unprocessable("missing-extension", label + ": the metadata provides extension '"
						+ provided + "' but the artifact has no " + provided + ".control");
			}
		}

		Set<String> claimed = new HashSet<>();
		Map<String, List<ArtifactFile>> own = new TreeMap<>();
		Map<String, Set<String>> referenced = new TreeMap<>();
		for (ControlFile control : controls.values()) {
			String scriptDir = scriptDirectory(label, control);
			List<ArtifactFile> mine = new ArrayList<>();
			Set<String> libraries = new TreeSet<>();
			if (control.modulePathname() != null) {
				checkReference(label, control.name() + ".control: module_pathname", control.modulePathname());
				libraries.add(control.moduleLibrary());
			}
			ExtensionScripts.Versions versions = new ExtensionScripts.Versions(control.name());
			for (ArtifactFile file : files.values()) {
				String fileName = file.fileName();
				boolean primary = file.path().equals("share/extension/" + control.name() + ".control");
				boolean secondary = fileName.startsWith(control.name() + "--") && fileName.endsWith(".control")
						&& (file.directory().equals("share/extension") || file.directory().equals(scriptDir));
				boolean script = file.directory().equals(scriptDir) && fileName.startsWith(control.name() + "--")
						&& fileName.endsWith(".sql");
				if (!(primary || secondary || script)) {
					continue;
				}
				mine.add(file);
				claimed.add(file.path());
				if (script) {
					versions.addScript(fileName);
					String sql = read(file);
					for (String reference : ExtensionScripts.libdirReferences(sql)) {
						checkReference(label, file.path(), reference);
					}
					libraries.addAll(LibraryReferences.in(sql, control));
				}
			}
			String version = version(metadata, control);
			if (version == null) {
				throw RegistryException.unprocessable("no-version", label + ": extension " + control.name()
						+ " has no default_version and the metadata names no version for it");
			}
			if (!versions.canInstall(version)) {
				throw RegistryException.unprocessable("not-installable",
						label + ": extension " + control.name() + " version " + version + " has no install script ("
								+ control.name() + "--" + version + ".sql) and no update path to it from one");
			}
			own.put(control.name(), mine);
			referenced.put(control.name(), libraries);
		}

		// a library file belongs to the extensions that load it; one nobody loads (a hook
		// module) belongs to all
		Map<String, ArtifactFile> libraryFiles = new TreeMap<>();
		for (ArtifactFile file : files.values()) {
			if (file.directory().equals("lib") && file.fileName().endsWith(".so")) {
				libraryFiles.put(ControlFile.libraryName(file.fileName()), file);
			}
		}
		for (ControlFile control : controls.values()) {
			Set<String> available = null;
			for (String library : referenced.get(control.name())) {
				if (libraryFiles.containsKey(library) || ExtensionScripts.SERVER_LIBRARIES.contains(library)) {
					continue;
				}
				if (available == null) {
					available = requiredLibraries.of(control.requires());
				}
				if (!available.contains(library)) {
					throw RegistryException.unprocessable("unresolved-library",
							label + ": extension " + control.name() + " loads library '" + library
									+ "', which is neither in the artifact's lib/, nor provided "
									+ "by an extension it requires " + control.requires() + ", nor part of Postgres");
				}
			}
		}
		Set<String> loadedBySomeone = new HashSet<>();
		referenced.values().forEach(loadedBySomeone::addAll);
		List<PlannedExtension> planned = new ArrayList<>();
		for (ControlFile control : controls.values()) {
			Set<String> provides = new TreeSet<>();
			Set<ArtifactFile> extensionFiles = new LinkedHashSet<>(own.get(control.name()));
			for (Map.Entry<String, ArtifactFile> library : libraryFiles.entrySet()) {
				if (referenced.get(control.name()).contains(library.getKey())
						|| !loadedBySomeone.contains(library.getKey())) {
					provides.add(library.getKey());
					extensionFiles.add(library.getValue());
					claimed.add(library.getValue().path());
				}
			}
			planned.add(new PlannedExtension(major, control, controlTexts.get(control.name()),
					version(metadata, control), new ArrayList<>(extensionFiles), List.copyOf(provides),
					preload(metadata, control, provides), summary(metadata, control)));
		}
		// whatever no extension claimed (other share files, bitcode, data) goes with
		// every extension
		List<ArtifactFile> shared = files.values().stream().filter((f) -> !claimed.contains(f.path())).toList();
		if (!shared.isEmpty()) {
			planned.forEach((extension) -> extension.files().addAll(shared));
		}
		return planned;
	}

	/**
	 * A {@code module_pathname} or {@code $libdir/...} reference must name one library
	 * directly in {@code $libdir}: no directories, no {@code ..}, no absolute path.
	 */
	private static void checkReference(String label, String where, String reference) {
		String problem = ExtensionScripts.referenceProblem(where, reference);
		if (problem != null) {
			throw RegistryException.unprocessable("unresolved-library", label + ": " + problem);
		}
	}

	/**
	 * An artifact of libraries alone: each {@code lib/<name>.so} is an entry of its own,
	 * with no control file, which the loader places on {@code LOAD}, preload or request.
	 * Files outside {@code lib/} go with every entry.
	 */
	private static List<PlannedExtension> libraryModules(ReleaseMetadata metadata, PgMajor major, String label,
			Map<String, ArtifactFile> files) {
		if (!metadata.provides().isEmpty()) {
			String provided = metadata.provides().keySet().iterator().next();
			throw RegistryException.unprocessable("missing-extension", label + ": the metadata provides extension '"
					+ provided + "' but the artifact has no " + provided + ".control");
		}
		List<ArtifactFile> libraries = new ArrayList<>();
		List<ArtifactFile> others = new ArrayList<>();
		for (ArtifactFile file : files.values()) {
			if (file.directory().equals("lib") && file.fileName().endsWith(".so")) {
				libraries.add(file);
			}
			else {
				others.add(file);
			}
		}
		if (libraries.isEmpty()) {
			throw RegistryException.unprocessable("no-extension", label + ": no control file in share/extension and "
					+ "no library in lib/; an artifact must hold at least one extension or library");
		}
		List<PlannedExtension> planned = new ArrayList<>();
		for (ArtifactFile library : libraries) {
			String name = ControlFile.libraryName(library.fileName());
			String problem = ExtensionName.problem(name);
			if (problem != null) {
				throw RegistryException.unprocessable("invalid-name",
						label + ": library '" + library.path() + "' cannot be an entry: " + problem);
			}
			// no control file: LOAD of a library outside $libdir/plugins needs a
			// superuser
			ControlFile module = new ControlFile(name, null, null, null, null, null, false, true, false, null,
					List.of(), List.of());
			List<ArtifactFile> moduleFiles = new ArrayList<>();
			moduleFiles.add(library);
			moduleFiles.addAll(others);
			PreloadNeed preload = metadata.modulePreload().getOrDefault(name, PreloadNeed.NONE);
			planned.add(new PlannedExtension(major, module, null, null, moduleFiles, List.of(name), preload,
					(metadata.summary() != null) ? metadata.summary() : "library " + name));
		}
		return planned;
	}

	private static String scriptDirectory(String label, ControlFile control) {
		try {
			return ExtensionScripts.scriptDirectory(control);
		}
		catch (IllegalArgumentException ex) {
			throw RegistryException.unprocessable("invalid-control-file", label + ": " + ex.getMessage());
		}
	}

	private static String version(ReleaseMetadata metadata, ControlFile control) {
		ReleaseMetadata.Provided provided = metadata.provides().get(control.name());
		if (provided != null && provided.version() != null) {
			return provided.version();
		}
		return control.defaultVersion();
	}

	private static String summary(ReleaseMetadata metadata, ControlFile control) {
		ReleaseMetadata.Provided provided = metadata.provides().get(control.name());
		if (provided != null && provided.summary() != null) {
			return provided.summary();
		}
		return (control.comment() != null) ? control.comment() : metadata.summary();
	}

	private static PreloadNeed preload(ReleaseMetadata metadata, ControlFile control, Set<String> libraries) {
		ReleaseMetadata.Provided provided = metadata.provides().get(control.name());
		if (provided != null && provided.preload() != null) {
			return provided.preload();
		}
		PreloadNeed need = PreloadNeed.NONE;
		for (String library : libraries) {
			PreloadNeed module = metadata.modulePreload().get(library);
			if (module == PreloadNeed.SERVER) {
				return module;
			}
			if (module == PreloadNeed.SESSION) {
				need = module;
			}
		}
		return need;
	}

	private static String read(ArtifactFile file) {
		try {
			return Files.readString(file.content(), StandardCharsets.UTF_8);
		}
		catch (java.nio.charset.MalformedInputException ex) {
			throw RegistryException.unprocessable("invalid-encoding", file.path() + " is not UTF-8 text");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
