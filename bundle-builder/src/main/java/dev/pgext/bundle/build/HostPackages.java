package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which Debian package installed a file of the build host, read once from dpkg's database
 * ({@code info/*.list} for the files, {@code status} for the versions) instead of running
 * {@code dpkg -S} per file. On a host without dpkg every file is unpackaged.
 * <p>
 * Since the {@code /usr} merge, {@code /lib} is a link to {@code /usr/lib} and dpkg
 * records a file under whichever of the two names its package used, so both names are
 * looked up, for the path as given and for its real path.
 */
final class HostPackages {

	/** Where dpkg keeps its database on Debian and its derivatives. */
	static final Path DPKG_DIR = Path.of("/var/lib/dpkg");

	/** Where Debian packages install their {@code <package>/copyright} files. */
	static final Path DOC_DIR = Path.of("/usr/share/doc");

	/** The first line of a machine-readable (DEP-5) copyright file. */
	private static final String DEP5_FORMAT = "Format: ";

	private static final List<String[]> ALIASES = List.of(new String[] { "/usr/lib/", "/lib/" },
			new String[] { "/usr/lib64/", "/lib64/" }, new String[] { "/usr/bin/", "/bin/" },
			new String[] { "/usr/sbin/", "/sbin/" });

	private final Map<String, String> owners;

	private final Map<String, String> versions;

	private final Path docDir;

	private HostPackages(Map<String, String> owners, Map<String, String> versions, Path docDir) {
		this.owners = owners;
		this.versions = versions;
		this.docDir = docDir;
	}

	/**
	 * The package that installed a file and its version.
	 *
	 * @param name the package name, with its architecture when dpkg records one
	 * ({@code libc6:amd64})
	 * @param version the installed version ({@code 2.36-9+deb12u14})
	 */
	record Package(String name, String version) {
	}

	/** Reads the dpkg database under {@code dpkgDir}; empty when there is none. */
	static HostPackages read(Path dpkgDir) throws IOException {
		return read(dpkgDir, DOC_DIR);
	}

	/**
	 * Reads the dpkg database under {@code dpkgDir}, with the packages' copyright files
	 * under {@code docDir}.
	 */
	static HostPackages read(Path dpkgDir, Path docDir) throws IOException {
		Map<String, String> owners = new HashMap<>();
		Map<String, String> versions = new HashMap<>();
		Path info = dpkgDir.resolve("info");
		Path status = dpkgDir.resolve("status");
		if (!Files.isDirectory(info) || !Files.isRegularFile(status)) {
			return new HostPackages(owners, versions, docDir);
		}
		try (Stream<Path> lists = Files.list(info)) {
			for (Path list : lists.filter((p) -> p.getFileName().toString().endsWith(".list")).sorted().toList()) {
				String name = list.getFileName().toString();
				String pkg = name.substring(0, name.length() - ".list".length());
				for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
					owners.putIfAbsent(line, pkg);
				}
			}
		}
		readStatus(Files.readString(status, StandardCharsets.UTF_8), versions);
		return new HostPackages(owners, versions, docDir);
	}

	private static void readStatus(String status, Map<String, String> versions) {
		for (String paragraph : status.split("\n\n")) {
			String pkg = null;
			String arch = null;
			String version = null;
			boolean installed = false;
			for (String line : paragraph.split("\n")) {
				if (line.startsWith("Package: ")) {
					pkg = line.substring(9).strip();
				}
				else if (line.startsWith("Architecture: ")) {
					arch = line.substring(14).strip();
				}
				else if (line.startsWith("Version: ")) {
					version = line.substring(9).strip();
				}
				else if (line.startsWith("Status: ")) {
					installed = line.endsWith(" installed");
				}
			}
			if (pkg != null && version != null && installed) {
				versions.put(pkg, version);
				if (arch != null) {
					versions.put(pkg + ":" + arch, version);
				}
			}
		}
	}

	/** The package that installed {@code file}, if dpkg knows one. */
	Optional<Package> owner(Path file) throws IOException {
		for (String candidate : candidates(file)) {
			String pkg = this.owners.get(candidate);
			if (pkg != null) {
				return Optional.of(new Package(pkg, this.versions.getOrDefault(pkg, "unknown")));
			}
		}
		return Optional.empty();
	}

	/**
	 * The licences a package declares in the {@code License:} fields of its
	 * {@code <doc dir>/<package>/copyright}, distinct, in order of appearance; empty when
	 * the file is missing or not machine-readable (DEP-5): free-form copyright text is
	 * not parsed, so no licence is guessed.
	 * @param packageName the package, with or without its architecture
	 */
	List<String> licenses(String packageName) throws IOException {
		String name = packageName.contains(":") ? packageName.substring(0, packageName.indexOf(':')) : packageName;
		if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
			return List.of();
		}
		Path copyright = this.docDir.resolve(name).resolve("copyright");
		if (!Files.isRegularFile(copyright)) {
			return List.of();
		}
		// some copyright files are not UTF-8; malformed bytes only ever sit in free text
		List<String> lines = new String(Files.readAllBytes(copyright), StandardCharsets.UTF_8).lines().toList();
		if (lines.isEmpty() || !lines.get(0).startsWith(DEP5_FORMAT)) {
			return List.of();
		}
		Set<String> licenses = new LinkedHashSet<>();
		for (String line : lines) {
			if (line.startsWith("License:")) {
				String license = line.substring("License:".length()).strip();
				if (!license.isEmpty()) {
					licenses.add(license);
				}
			}
		}
		return List.copyOf(licenses);
	}

	private static Set<String> candidates(Path file) throws IOException {
		List<String> paths = new ArrayList<>();
		paths.add(file.toAbsolutePath().normalize().toString());
		if (Files.exists(file)) {
			paths.add(file.toRealPath().toString());
		}
		Set<String> candidates = new LinkedHashSet<>();
		for (String path : paths) {
			candidates.add(path);
			for (String[] alias : ALIASES) {
				if (path.startsWith(alias[0])) {
					candidates.add(alias[1] + path.substring(alias[0].length()));
				}
				else if (path.startsWith(alias[1])) {
					candidates.add(alias[0] + path.substring(alias[1].length()));
				}
			}
		}
		return candidates;
	}

}
