package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.pgext.model.elf.ElfFile;

/**
 * Computes and stages the shared-library closure of the ELF files in a staging tree,
 * reading {@code DT_NEEDED}, {@code DT_RUNPATH}/{@code DT_RPATH} and {@code PT_INTERP}
 * instead of running {@code ldd}, which would execute the host's loader on the inputs and
 * report the host's view.
 * <p>
 * A needed library is searched where the loader will find it inside the bundle: first the
 * file's own {@code $ORIGIN} run paths (inside the tree only; absolute build-prefix paths
 * are ignored, as they do not exist in the chroot), then the lib directory of the major
 * the file belongs to (the LAUNCHER puts it on {@code LD_LIBRARY_PATH}), then the host
 * libraries already staged, then the host's library directories. A library from the host
 * is staged at the same path it has on the host, so the bundled loader's default search
 * finds it for programs started without the LAUNCHER's environment, such as
 * {@code /bin/sh}.
 */
final class LibraryClosure {

	private final Path root;

	private final List<Path> hostLibraryDirs;

	private final Map<String, Path> stagedHostLibraries = new HashMap<>();

	private final Set<String> interpreters = new TreeSet<>();

	private final Map<String, Set<String>> unresolved = new TreeMap<>();

	private final Map<Path, Set<Path>> dependencies = new HashMap<>();

	private final Set<String> stagedHostDirs = new LinkedHashSet<>();

	private final Map<Path, ElfFile> elfFiles = new HashMap<>();

	private final HostFiles hostFiles;

	private Integer machine;

	/**
	 * @param root the staging root (the future chroot)
	 * @param hostLibraryDirs where to look for libraries the inputs do not carry, in
	 * order
	 * @param hostFiles records every file copied from the host
	 */
	LibraryClosure(Path root, List<Path> hostLibraryDirs, HostFiles hostFiles) {
		this.root = root;
		this.hostLibraryDirs = List.copyOf(hostLibraryDirs);
		this.hostFiles = hostFiles;
	}

	/**
	 * Stages the closure of {@code file} (a path under the root), resolving against the
	 * lib directory {@code majorLib} (under the root) when it is not {@code null}, and
	 * taking what is still missing from the host.
	 */
	void add(Path file, Path majorLib) throws IOException {
		add(file, majorLib, true);
	}

	/**
	 * Stages the closure of {@code file} like {@link #add(Path, Path)}, but when
	 * {@code fromHost} is false only from the inputs and the host libraries staged
	 * already: a library nothing else needs is then recorded as unresolved instead of
	 * copied.
	 */
	void add(Path file, Path majorLib, boolean fromHost) throws IOException {
		Deque<Path> queue = new ArrayDeque<>();
		Set<Path> done = new HashSet<>();
		queue.add(file);
		while (!queue.isEmpty()) {
			Path next = queue.poll();
			if (!done.add(next)) {
				continue;
			}
			ElfFile elf = elf(next);
			checkMachine(elf);
			if (elf.interpreter().isPresent()) {
				stageInterpreter(elf.interpreter().get());
			}
			Set<Path> deps = this.dependencies.computeIfAbsent(next, (p) -> new LinkedHashSet<>());
			for (String soname : elf.needed()) {
				Optional<Path> found = find(soname, next, elf, majorLib, fromHost);
				if (found.isEmpty()) {
					this.unresolved.computeIfAbsent(relative(next), (k) -> new TreeSet<>()).add(soname);
					continue;
				}
				deps.add(found.get());
				queue.add(found.get());
			}
		}
	}

	/**
	 * Stages a host library that programs load with {@code dlopen}, and its closure, if
	 * the host has it.
	 */
	void addHostLibraryIfPresent(String soname) throws IOException {
		Optional<Path> staged = stageFromHost(soname);
		if (staged.isPresent()) {
			add(staged.get(), null);
		}
	}

	/** The ELF file at {@code path} (under the root), read once. */
	ElfFile elf(Path path) throws IOException {
		ElfFile elf = this.elfFiles.get(path);
		if (elf == null) {
			elf = ElfFile.read(path);
			this.elfFiles.put(path, elf);
		}
		return elf;
	}

	/** Every ELF file read so far. */
	Iterable<ElfFile> elfFiles() {
		return this.elfFiles.values();
	}

	/**
	 * The interpreters (dynamic loaders) the staged files name, as paths inside the
	 * bundle.
	 */
	Set<String> interpreters() {
		return this.interpreters;
	}

	/**
	 * The host library directories something was staged into, as absolute paths inside
	 * the bundle.
	 */
	List<String> stagedHostDirs() {
		return new ArrayList<>(this.stagedHostDirs);
	}

	/**
	 * Needed libraries that could not be found, keyed by the path of the file that needs
	 * them.
	 */
	Map<String, List<String>> unresolved() {
		Map<String, List<String>> result = new TreeMap<>();
		this.unresolved.forEach((path, names) -> result.put(path, List.copyOf(names)));
		return result;
	}

	/**
	 * The unresolved libraries in the closure of {@code starts}: what would make those
	 * programs fail to start.
	 */
	Map<String, List<String>> unresolvedFrom(List<Path> starts) {
		Map<String, List<String>> result = new TreeMap<>();
		Deque<Path> queue = new ArrayDeque<>(starts);
		Set<Path> seen = new HashSet<>();
		while (!queue.isEmpty()) {
			Path next = queue.poll();
			if (!seen.add(next)) {
				continue;
			}
			Set<String> missing = this.unresolved.get(relative(next));
			if (missing != null) {
				result.put(relative(next), List.copyOf(missing));
			}
			queue.addAll(this.dependencies.getOrDefault(next, Set.of()));
		}
		return result;
	}

	private Optional<Path> find(String soname, Path requester, ElfFile elf, Path majorLib, boolean fromHost)
			throws IOException {
		if (soname.contains("/")) {
			return Optional.empty();
		}
		List<String> searchPaths = elf.runpath().isEmpty() ? elf.rpath() : elf.runpath();
		for (String entry : searchPaths) {
			String expanded = entry.replace("${ORIGIN}", "$ORIGIN");
			if (!expanded.startsWith("$ORIGIN")) {
				continue;
			}
			Path dir = requester.getParent().resolve("." + expanded.substring("$ORIGIN".length())).normalize();
			Path candidate = dir.resolve(soname);
			if (dir.startsWith(this.root) && Files.exists(candidate) && isCompatible(candidate)) {
				return Optional.of(candidate);
			}
		}
		if (majorLib != null) {
			Path candidate = majorLib.resolve(soname);
			if (Files.exists(candidate) && isCompatible(candidate)) {
				return Optional.of(candidate);
			}
		}
		return fromHost ? stageFromHost(soname) : Optional.ofNullable(this.stagedHostLibraries.get(soname));
	}

	private Optional<Path> stageFromHost(String soname) throws IOException {
		Path staged = this.stagedHostLibraries.get(soname);
		if (staged != null) {
			return Optional.of(staged);
		}
		for (Path dir : this.hostLibraryDirs) {
			Path candidate = dir.resolve(soname);
			if (Files.isRegularFile(candidate) && isCompatible(candidate)) {
				Path target = this.hostFiles.copy(candidate,
						this.root.resolve(dir.toString().substring(1)).resolve(soname));
				this.stagedHostLibraries.put(soname, target);
				this.stagedHostDirs.add(dir.toString());
				return Optional.of(target);
			}
		}
		return Optional.empty();
	}

	private void stageInterpreter(String interpreter) throws IOException {
		if (this.interpreters.contains(interpreter)) {
			return;
		}
		Path host = Path.of(interpreter);
		if (!host.isAbsolute() || !Files.isRegularFile(host)) {
			throw new BuildException("the dynamic loader " + interpreter + " is not on this machine: build the bundle "
					+ "on a machine of the inputs' architecture and libc");
		}
		this.hostFiles.copySamePath(host);
		this.interpreters.add(interpreter);
	}

	private boolean isCompatible(Path candidate) throws IOException {
		if (!ElfFile.isElf(candidate)) {
			return false;
		}
		try {
			ElfFile elf = ElfFile.read(candidate);
			return this.machine == null || elf.machine() == this.machine;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void checkMachine(ElfFile elf) {
		if (this.machine == null) {
			this.machine = elf.machine();
		}
		else if (elf.machine() != this.machine) {
			throw new BuildException(relative(elf.path()) + " is for machine " + elf.machine() + ", the bundle for "
					+ this.machine + ": a bundle holds one architecture");
		}
	}

	private String relative(Path path) {
		return path.startsWith(this.root) ? this.root.relativize(path).toString() : path.toString();
	}

}
