package dev.pgext.cli.pack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.pgext.cli.exit.Printable;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.PgMajor;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.control.ControlFile;
import dev.pgext.model.control.ControlFileException;
import dev.pgext.model.control.ControlFileParser;
import dev.pgext.model.control.ExtensionScripts;
import dev.pgext.model.control.LibraryReferences;
import dev.pgext.model.elf.ElfFile;
import dev.pgext.model.release.MetaSpecSchema;
import dev.pgext.model.release.ReleaseLimits;

/**
 * The registry's publish checks that need nothing but the artifact and its metadata, run
 * before anything is uploaded: paths the store can hold, the registry's default size and
 * entry limits, ELF shared objects for the platform, control files the server accepts, an
 * installable version, and library references that resolve. The registry stays the judge
 * (its limits may be configured otherwise, and it resolves libraries of required
 * extensions against its catalog); these checks catch what would be refused anyway.
 */
public final class LocalChecks {

	/** The registry's default limits ({@code pgext.registry.publish.*}). */
	static final long MAX_FILE_SIZE = ReleaseLimits.bytes(ReleaseLimits.DEFAULT_MAX_FILE_SIZE_MB);

	static final long MAX_TOTAL_SIZE = ReleaseLimits.bytes(ReleaseLimits.DEFAULT_MAX_TOTAL_SIZE_MB);

	static final int MAX_ENTRIES = ReleaseLimits.DEFAULT_MAX_ENTRIES;

	private LocalChecks() {
	}

	/**
	 * The outcome of one check.
	 *
	 * @param level whether it passed, failed, or passed with something to know
	 * @param message what was checked, or what is wrong
	 */
	public record Check(Level level, String message) {

		static Check ok(String message) {
			return new Check(Level.OK, message);
		}

		static Check fail(String message) {
			return new Check(Level.FAIL, message);
		}

		static Check note(String message) {
			return new Check(Level.NOTE, message);
		}

		@Override
		public String toString() {
			// a file's name may hold anything a file system allows, a newline too
			return String.format("  %-5s %s", this.level.label, Printable.of(this.message));
		}

	}

	/** How a check ended. */
	public enum Level {

		OK("ok"), NOTE("note"), FAIL("FAIL");

		private final String label;

		Level(String label) {
			this.label = label;
		}

	}

	/** Whether any of {@code checks} failed. */
	public static boolean failed(List<Check> checks) {
		return checks.stream().anyMatch((check) -> check.level() == Level.FAIL);
	}

	/** The registry's default {@code max-metadata-size}. */
	static final long MAX_METADATA_BYTES = 1024 * 1024;

	private static final int MAX_META_SPEC_LINES = 10;

	/**
	 * Checks the release metadata: the names and the version the registry will accept,
	 * and, for a document read from a file, its size and the PGXN Meta Spec.
	 */
	public static List<Check> metadata(Metadata metadata) {
		List<Check> checks = new ArrayList<>();
		String nameProblem = (metadata.name() == null) ? "META.json has no name"
				: ExtensionName.problem(metadata.name().toLowerCase(Locale.ROOT));
		if (nameProblem != null) {
			checks.add(Check.fail("distribution name: " + nameProblem));
		}
		else {
			checks.add(Check.ok("distribution name " + metadata.name()));
		}
		String normal = Metadata.normalizedVersion(metadata.version());
		if (normal == null) {
			checks.add(Check.fail("version '" + metadata.version() + "' is not a semantic version (MAJOR.MINOR.PATCH, "
					+ "such as 1.4.0 or 2.0.0-beta.1); the registry refuses it"));
		}
		else if (!normal.equals(metadata.version())) {
			checks.add(Check.note("version " + metadata.version() + " is published as " + normal));
		}
		else {
			checks.add(Check.ok("version " + normal));
		}
		if (metadata.document() != null) {
			checks.addAll(metaSpec(metadata));
		}
		return checks;
	}

	/**
	 * The registry's checks of the whole document: its size (the registry's default
	 * limit) and the PGXN Meta Spec, with the schemas the registry validates with.
	 */
	private static List<Check> metaSpec(Metadata metadata) {
		List<Check> checks = new ArrayList<>();
		if (metadata.size() > MAX_METADATA_BYTES) {
			checks.add(Check.fail("META.json is " + metadata.size() + " bytes; the registry accepts at most "
					+ MAX_METADATA_BYTES + " (its default limit)"));
		}
		int version = MetaSpecSchema.versionOf(metadata.document());
		List<MetaSpecSchema.Violation> violations = MetaSpecSchema.violations(metadata.document());
		if (violations.isEmpty()) {
			checks.add(Check.ok("META.json follows the PGXN Meta Spec v" + version));
		}
		violations.stream()
			.limit(MAX_META_SPEC_LINES)
			.forEach((violation) -> checks.add(Check
				.fail("META.json (Meta Spec v" + version + ") at '" + violation.path() + "': " + violation.message())));
		if (violations.size() > MAX_META_SPEC_LINES) {
			checks.add(
					Check.fail("META.json: " + (violations.size() - MAX_META_SPEC_LINES) + " more Meta Spec error(s)"));
		}
		return checks;
	}

	/**
	 * Checks the artifact for {@code major}, whose libraries must be built for
	 * {@code platform}.
	 */
	public static List<Check> artifact(Metadata metadata, PgMajor major, InstallTree tree, Platform platform) {
		List<Check> checks = new ArrayList<>();
		Map<String, Path> files = tree.files();
		if (files.isEmpty()) {
			checks.add(Check.fail("pg" + major.value() + ": no files under share/ or lib/"));
			return checks;
		}
		limits(tree, checks);
		Map<String, Path> libraries = new TreeMap<>();
		for (Map.Entry<String, Path> file : files.entrySet()) {
			if (file.getKey().startsWith("lib/") && file.getKey().endsWith(".so")) {
				libraries.put(ControlFile.libraryName(file.getKey().substring("lib/".length())), file.getValue());
				checks.add(sharedObject(file.getKey(), file.getValue(), platform));
			}
		}
		Map<String, ControlFile> controls = new TreeMap<>();
		boolean unparsable = false;
		for (Map.Entry<String, Path> file : files.entrySet()) {
			String path = file.getKey();
			String name = path.substring(path.lastIndexOf('/') + 1);
			if (path.equals("share/extension/" + name) && name.endsWith(".control") && !name.contains("--")) {
				try {
					ControlFile control = ControlFileParser.parse(name, read(file.getValue()));
					controls.put(control.name(), control);
					checks.add(Check.ok(name + " parses"));
				}
				catch (ControlFileException ex) {
					checks.add(Check.fail(ex.getMessage()));
					unparsable = true;
				}
			}
		}
		if (controls.isEmpty() && !unparsable) {
			if (libraries.isEmpty()) {
				checks.add(Check.fail("no control file in share/extension and no library in lib/: nothing to publish"));
			}
			else {
				checks.add(Check
					.note("no control file: each library is published as a library module " + libraries.keySet()));
			}
		}
		for (String provided : metadata.provides().keySet()) {
			if (!controls.isEmpty() && !controls.containsKey(provided)) {
				checks.add(Check.fail("META.json provides extension '" + provided + "' but there is no share/extension/"
						+ provided + ".control"));
			}
		}
		for (ControlFile control : controls.values()) {
			extension(metadata, control, files, libraries.keySet(), checks);
		}
		return checks;
	}

	private static void limits(InstallTree tree, List<Check> checks) {
		int before = checks.size();
		long total = 0;
		for (Map.Entry<String, Path> file : tree.files().entrySet()) {
			String problem = StoreLayout.installPathProblem(file.getKey());
			if (problem != null) {
				checks.add(Check.fail(file.getKey() + ": " + problem));
			}
			long size = size(file.getValue());
			total += size;
			if (size > MAX_FILE_SIZE) {
				checks.add(Check.fail(file.getKey() + " is " + size
						+ " bytes; the registry's default limit per file is " + MAX_FILE_SIZE));
			}
		}
		if (total > MAX_TOTAL_SIZE) {
			checks.add(Check
				.fail("the files add up to " + total + " bytes; the registry's default limit is " + MAX_TOTAL_SIZE));
		}
		if (tree.files().size() > MAX_ENTRIES) {
			checks.add(Check
				.fail(tree.files().size() + " files; the registry's default limit is " + MAX_ENTRIES + " entries"));
		}
		if (checks.size() == before) {
			checks.add(Check.ok(tree.files().size() + " files, " + total + " bytes: paths and sizes within the "
					+ "registry's default limits"));
		}
	}

	private static Check sharedObject(String path, Path content, Platform platform) {
		try {
			ElfFile elf = ElfFile.read(content);
			if (elf.type() != ElfFile.ET_DYN) {
				return Check.fail(path + " is an ELF file of type " + elf.type() + ", not a shared object (type 3)");
			}
			if (elf.machine() != platform.elfMachine()) {
				return Check.fail(path + " is built for ELF machine " + elf.machine() + ", not for " + platform.name()
						+ " (" + platform.elfMachine() + ")");
			}
			return Check.ok(path + ": ELF shared object for " + platform.name());
		}
		catch (IOException ex) {
			return Check.fail(path + " is not an ELF shared object: " + ex.getMessage());
		}
	}

	private static void extension(Metadata metadata, ControlFile control, Map<String, Path> files,
			Set<String> libraries, List<Check> checks) {
		String scriptDir;
		try {
			scriptDir = ExtensionScripts.scriptDirectory(control);
		}
		catch (IllegalArgumentException ex) {
			checks.add(Check.fail(ex.getMessage()));
			return;
		}
		ExtensionScripts.Versions versions = new ExtensionScripts.Versions(control.name());
		Set<String> referenced = new TreeSet<>();
		boolean badReference = false;
		if (control.modulePathname() != null) {
			badReference |= !reference(control.name() + ".control: module_pathname", control.modulePathname(), checks);
			referenced.add(control.moduleLibrary());
		}
		for (Map.Entry<String, Path> file : files.entrySet()) {
			String path = file.getKey();
			String name = path.substring(path.lastIndexOf('/') + 1);
			String directory = path.substring(0, path.lastIndexOf('/'));
			if (!directory.equals(scriptDir) || !name.startsWith(control.name() + "--") || !name.endsWith(".sql")) {
				continue;
			}
			versions.addScript(name);
			String sql = read(file.getValue());
			for (String reference : ExtensionScripts.libdirReferences(sql)) {
				badReference |= !reference(path, reference, checks);
			}
			referenced.addAll(LibraryReferences.in(sql, control));
		}
		String version = metadata.provides().get(control.name());
		if (version == null) {
			version = control.defaultVersion();
		}
		if (version == null) {
			checks.add(Check.fail(control.name() + " has no default_version and META.json names no version for it"));
		}
		else if (!versions.canInstall(version)) {
			checks.add(Check.fail(control.name() + " version " + version + " has no install script (" + control.name()
					+ "--" + version + ".sql) and no update path to it from one"));
		}
		else {
			checks.add(Check.ok(control.name() + " " + version + " is installable"));
		}
		if (badReference) {
			return;
		}
		for (String library : referenced) {
			if (libraries.contains(library)) {
				checks.add(Check.ok(control.name() + " loads $libdir/" + library + ", which the artifact has"));
			}
			else if (ExtensionScripts.SERVER_LIBRARIES.contains(library)) {
				checks.add(Check.ok(control.name() + " loads $libdir/" + library + ", part of Postgres"));
			}
			else if (!control.requires().isEmpty()) {
				checks.add(Check.note(control.name() + " loads $libdir/" + library + ", which is not in the artifact; "
						+ "the registry accepts it only if an extension it requires " + control.requires()
						+ " provides it"));
			}
			else {
				checks.add(Check.fail(control.name() + " loads library '" + library + "', which is neither in lib/, "
						+ "nor part of Postgres, and the extension requires nothing that could provide it"));
			}
		}
	}

	private static boolean reference(String where, String reference, List<Check> checks) {
		String problem = ExtensionScripts.referenceProblem(where, reference);
		if (problem != null) {
			checks.add(Check.fail(problem));
			return false;
		}
		return true;
	}

	private static String read(Path file) {
		try {
			// decoded leniently: a script in another encoding still shows its references
			return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
