package dev.pgext.model.control;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules an extension's files follow, shared by the registry (which refuses a release
 * that breaks them) and the CLI (which checks before uploading): where the scripts live,
 * which library references are allowed, which libraries every server has, and whether a
 * version can be installed from the scripts at hand.
 */
public final class ExtensionScripts {

	/**
	 * Libraries every Postgres server has in its {@code $libdir}: the PL/pgSQL handler,
	 * the snowball dictionaries, the logical replication output plugin and walreceiver,
	 * and the JIT provider. An extension may load these without shipping or requiring
	 * them.
	 */
	public static final Set<String> SERVER_LIBRARIES = Set.of("plpgsql", "dict_snowball", "pgoutput",
			"libpqwalreceiver", "llvmjit");

	private static final Pattern LIBRARY = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9_.+-]*");

	private static final Pattern LIBDIR_REFERENCE = Pattern.compile("\\$libdir/[^'\"\\s;),]*");

	private ExtensionScripts() {
	}

	/**
	 * The directory of the artifact (relative to its root) that holds {@code control}'s
	 * scripts: {@code share/extension}, or {@code share/<directory>} when the control
	 * file names one.
	 * @throws IllegalArgumentException when the control file's directory is absolute or
	 * leaves {@code share/}; the message says so
	 */
	public static String scriptDirectory(ControlFile control) {
		String directory = control.directory();
		if (directory == null || directory.isBlank()) {
			return "share/extension";
		}
		if (directory.startsWith("/") || directory.contains("..")) {
			throw new IllegalArgumentException(
					control.name() + ".control: directory must be relative to share/ (got '" + directory + "')");
		}
		return "share/" + (directory.endsWith("/") ? directory.substring(0, directory.length() - 1) : directory);
	}

	/** Every {@code $libdir/...} reference in {@code sql}, as written. */
	public static List<String> libdirReferences(String sql) {
		Matcher reference = LIBDIR_REFERENCE.matcher(sql);
		return reference.results().map(MatchResult::group).toList();
	}

	/**
	 * What is wrong with a {@code module_pathname} or {@code $libdir/...} reference, or
	 * {@code null}: it must name one library directly in {@code $libdir}, no directories,
	 * no {@code ..}, no absolute path.
	 * @param where the file (and setting) the reference is in, for the message
	 */
	public static String referenceProblem(String where, String reference) {
		String name = reference.startsWith("$libdir/") ? reference.substring("$libdir/".length()) : reference;
		if (!LIBRARY.matcher(name).matches() || name.equals(".") || name.equals("..")) {
			return where + " refers to '" + reference
					+ "'; a library reference must be $libdir/<name> (or <name>), a file directly in lib/";
		}
		return null;
	}

	/**
	 * The versions the install and update scripts of one extension offer, as the server
	 * reads them: {@code <name>--<version>.sql} installs a version,
	 * {@code <name>--<from>--<to>.sql} updates one.
	 */
	public static final class Versions {

		private final String extension;

		private final Set<String> installable = new HashSet<>();

		private final Map<String, Set<String>> updates = new HashMap<>();

		public Versions(String extension) {
			this.extension = extension;
		}

		/**
		 * Notes the script {@code fileName}; a file that is not one of the extension's
		 * scripts is ignored.
		 */
		public void addScript(String fileName) {
			String prefix = this.extension + "--";
			if (!fileName.startsWith(prefix) || !fileName.endsWith(".sql")) {
				return;
			}
			String[] versions = fileName.substring(prefix.length(), fileName.length() - ".sql".length())
				.split("--", -1);
			if (versions.length == 1) {
				this.installable.add(versions[0]);
			}
			else if (versions.length == 2) {
				this.updates.computeIfAbsent(versions[0], (v) -> new HashSet<>()).add(versions[1]);
			}
		}

		/**
		 * Whether {@code target} has an install script, or update scripts lead to it from
		 * one.
		 */
		public boolean canInstall(String target) {
			Deque<String> todo = new ArrayDeque<>(this.installable);
			Set<String> seen = new HashSet<>();
			while (!todo.isEmpty()) {
				String version = todo.pop();
				if (version.equals(target)) {
					return true;
				}
				if (seen.add(version)) {
					todo.addAll(this.updates.getOrDefault(version, Set.of()));
				}
			}
			return false;
		}

	}

}
