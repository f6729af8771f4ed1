package dev.pgext.bundle.build;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.bundle.archive.BundleArchive;
import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.BuilderInfo;
import dev.pgext.bundle.archive.BundleManifest.HostFile;
import dev.pgext.bundle.archive.BundleManifest.PostgresEntry;
import dev.pgext.bundle.archive.BundleManifest.Variant;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.bundle.archive.FileEntry;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.elf.ElfFile;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.place.JvmOwnedDirectories;

/**
 * Builds a bundle: stages each input under {@code v<NN>/}, adds what the binaries need to
 * run in a chroot of the bundle and nothing from the host besides, writes
 * {@code bundle.json} and packs the tree reproducibly into
 * {@code pg-bundle-<sha256>.tar.zst}.
 */
public class BundleBuilder {

	private static final Logger logger = LoggerFactory.getLogger(BundleBuilder.class);

	/**
	 * A build's work directory in the output directory: {@code .bundle-build-<pid>-…}.
	 */
	private static final String WORK_PREFIX = ".bundle-build-";

	static final String NSSWITCH = "passwd: files\ngroup: files\nhosts: files\n";

	/**
	 * Name resolution of {@code localhost} without DNS: PG 14's statistics collector
	 * binds a UDP socket to "localhost" and, unresolved, is disabled along with
	 * autovacuum.
	 */
	static final String HOSTS = "127.0.0.1 localhost\n::1 localhost\n";

	/**
	 * The programs the LAUNCHER and Postgres run from the host: {@code env} starts every
	 * program with a clean environment, {@code locale -a} is how {@code initdb} finds the
	 * libc locales for {@code pg_collation}.
	 */
	static final List<Path> HOST_PROGRAMS = List.of(Path.of("/usr/bin/env"), Path.of("/usr/bin/locale"));

	/**
	 * glibc's compiled C.UTF-8 locale; {@code C} and {@code POSIX} are built into glibc.
	 */
	static final List<Path> C_UTF8_LOCALE = List.of(Path.of("/usr/lib/locale/C.utf8"),
			Path.of("/usr/lib/locale/C.UTF-8"));

	private static final String MODULE_DIR = "lib/postgresql";

	private static final Pattern GLIBC_VERSION = Pattern
		.compile("GNU C Library [^\\n\\x00]*release version (\\d+\\.\\d+)");

	private static final Pattern ICU_FILE = Pattern.compile("libicuuc\\.so\\.(\\d+(?:\\.\\d+)*)");

	private final BuilderInfo builderInfo;

	private final List<Path> hostLibraryDirs;

	private final List<Path> gconvDirs;

	private final int zstdLevel;

	private final List<ChrootUser> users;

	/**
	 * @param builderInfo recorded in the manifest
	 * @param hostLibraryDirs where libraries the inputs do not carry come from, searched
	 * in order
	 * @param gconvDirs where glibc's gconv modules may be, first match wins
	 * @param zstdLevel the fixed compression level
	 * @param users the users the programs may run as, besides root
	 */
	public BundleBuilder(BuilderInfo builderInfo, List<Path> hostLibraryDirs, List<Path> gconvDirs, int zstdLevel,
			List<ChrootUser> users) {
		this.builderInfo = builderInfo;
		this.hostLibraryDirs = List.copyOf(hostLibraryDirs);
		this.gconvDirs = List.copyOf(gconvDirs);
		this.zstdLevel = zstdLevel;
		this.users = users.stream().sorted(Comparator.comparingInt(ChrootUser::uid)).toList();
	}

	/**
	 * What to build.
	 *
	 * @param inputs Postgres installation directories or binaries jars, one per major
	 * @param variant how the bundle runs its binaries
	 * @param outputDir where {@code pg-bundle-<sha256>.tar.zst} is written
	 * @param sourceDateEpoch the timestamp of every archive entry
	 */
	public record Request(List<Path> inputs, Variant variant, Path outputDir, long sourceDateEpoch) {
	}

	/**
	 * A built bundle.
	 *
	 * @param file the bundle file
	 * @param sha256 its digest, also in its name
	 * @param size its size in bytes
	 * @param manifest its manifest
	 */
	public record Result(Path file, Sha256Digest sha256, long size, BundleManifest manifest) {
	}

	public Result build(Request request) throws IOException {
		if (request.inputs().isEmpty()) {
			throw new BuildException("no input: give one Postgres installation or binaries jar per major");
		}
		if (request.sourceDateEpoch() < 0) {
			throw new BuildException("SOURCE_DATE_EPOCH must not be negative");
		}
		// a build that fails leaves no output directory it created
		boolean created = Files.notExists(request.outputDir());
		Files.createDirectories(request.outputDir());
		Result built = null;
		try {
			// what builds killed part-way left here, then this build's own directory
			for (Path left : JvmOwnedDirectories.removeThoseOfGoneJvms(request.outputDir(), WORK_PREFIX)) {
				logger.info("Removed {}, left by a build that did not finish", left);
			}
			Path work = Files.createTempDirectory(request.outputDir(), JvmOwnedDirectories.ownPrefix(WORK_PREFIX));
			try {
				Path root = Files.createDirectory(work.resolve("root"));
				Map<PgMajor, PostgresInput> inputs = openInputs(request.inputs(), work);
				BundleManifest manifest = stage(root, inputs, request);
				Files.write(root.resolve(BundleManifest.PATH), BundleJson.write(manifest));
				normalizeModes(root);
				built = pack(root, manifest, request, work);
				return built;
			}
			finally {
				FileTrees.delete(work);
			}
		}
		finally {
			if (built == null && created) {
				removeIfEmpty(request.outputDir());
			}
		}
	}

	private static void removeIfEmpty(Path dir) {
		try {
			Files.deleteIfExists(dir);
		}
		catch (IOException ex) {
			// not empty (someone else's files) or not ours to remove: left as it is
		}
	}

	private Map<PgMajor, PostgresInput> openInputs(List<Path> paths, Path work) throws IOException {
		Map<PgMajor, PostgresInput> inputs = new TreeMap<>();
		Map<PgMajor, Path> given = new TreeMap<>();
		for (Path path : paths) {
			PostgresInput input = PostgresInput.open(path, work);
			inputs.put(input.major(), input);
			Path other = given.put(input.major(), path);
			if (other != null) {
				throw new BuildException(
						"two inputs for PG " + input.major() + ": " + other + " and " + path + "; give one per major");
			}
		}
		return inputs;
	}

	private BundleManifest stage(Path root, Map<PgMajor, PostgresInput> inputs, Request request) throws IOException {
		HostFiles hostFiles = new HostFiles(root);
		LibraryClosure closure = new LibraryClosure(root, this.hostLibraryDirs, hostFiles);
		Map<Path, Path> modules = new LinkedHashMap<>();
		for (PostgresInput input : inputs.values()) {
			Path majorRoot = root.resolve("v" + input.major());
			copyInstall(input.install().root(), majorRoot);
			List<Path> elfs = elfFiles(majorRoot);
			List<Path> programs = elfs.stream().filter((p) -> p.getParent().equals(majorRoot.resolve("bin"))).toList();
			if (request.variant() == Variant.STATIC) {
				checkStatic(root, programs);
			}
			else {
				for (Path elf : elfs) {
					if (elf.startsWith(majorRoot.resolve(MODULE_DIR))) {
						modules.put(elf, majorRoot.resolve("lib"));
					}
					else {
						closure.add(elf, majorRoot.resolve("lib"));
					}
				}
				Map<String, List<String>> fatal = closure.unresolvedFrom(programs);
				if (!fatal.isEmpty()) {
					throw new BuildException("PG " + input.major() + " cannot start: needed libraries found neither "
							+ "in the input nor in " + this.hostLibraryDirs + ": " + fatal);
				}
			}
		}
		stageShell(root, closure, hostFiles);
		stageHostPrograms(root, closure, hostFiles);
		// glibc dlopens these without a DT_NEEDED: the unwinder for thread cancellation,
		// and the
		// files NSS module on glibc versions that do not build it in (before 2.34; from
		// 2.34 on
		// the host's libnss_files.so.2 is an empty compatibility stub nothing loads)
		closure.addHostLibraryIfPresent("libgcc_s.so.1");
		String glibc = glibcVersion(root);
		if (glibc == null || versionBefore(glibc, 2, 34)) {
			closure.addHostLibraryIfPresent("libnss_files.so.2");
		}
		// Modules (extensions, procedural languages) take only what the programs brought
		// from the
		// host already: a library only a module needs (pltcl's libtcl) would be in the
		// bundle only
		// because the build host happens to have it, so the module is listed as
		// unresolved, like
		// plperl and plpython whose libraries no host of ours has.
		for (Map.Entry<Path, Path> module : modules.entrySet()) {
			closure.add(module.getKey(), module.getValue(), false);
		}
		String gconv = stageGconvIfUsed(closure, hostFiles);
		Map<String, List<String>> unresolved = closure.unresolved();
		if (!unresolved.isEmpty()) {
			logger.warn("{} optional modules will not load, these libraries are missing: {} (see 'unresolved' in {})",
					unresolved.size(), unresolved.values().stream().flatMap(List::stream).distinct().sorted().toList(),
					BundleManifest.PATH);
		}
		stageChrootEssentials(root, this.users);
		stageCUtf8Locale(hostFiles);
		Map<String, PostgresEntry> postgres = new LinkedHashMap<>();
		for (PostgresInput input : inputs.values()) {
			postgres.put(input.major().toString(), new PostgresEntry(input.version(), input.versionOutput(),
					icuVersion(root.resolve("v" + input.major()).resolve("lib"), root), input.info()));
		}
		String loader = closure.interpreters().isEmpty() ? null : closure.interpreters().iterator().next();
		Files.writeString(root.resolve("LAUNCHER"), launcher(inputs.keySet(), closure.stagedHostDirs(), gconv),
				StandardCharsets.UTF_8);
		Files.setAttribute(root.resolve("LAUNCHER"), "unix:mode", 0755);
		normalizeModes(root);
		HostPackages packages = HostPackages.read(HostPackages.DPKG_DIR);
		List<HostFile> described = hostFiles.describe(packages);
		List<FileEntry> files = new ArrayList<>(BundleTree.scan(root));
		// the SBOM describes every other file, and bundle.json lists the SBOM with its
		// digest, so verify and fetch check it like any file
		Path sbom = root.resolve(BundleManifest.SBOM_PATH);
		Files.write(sbom, BundleSbom.write(new BundleSbom.Inputs(root, this.builderInfo, request.variant(),
				request.sourceDateEpoch(), postgres, described, files, packages)));
		Files.setAttribute(sbom, "unix:mode", 0644);
		files.add(BundleTree.entry(root, sbom));
		files.sort(null);
		return new BundleManifest(BundleManifest.FORMAT, request.variant(), this.builderInfo, request.sourceDateEpoch(),
				loader, glibc, postgres, unresolved, described, BundleManifest.SBOM_PATH, files);
	}

	private void checkStatic(Path root, List<Path> programs) throws IOException {
		List<String> dynamic = new ArrayList<>();
		for (Path program : programs) {
			ElfFile elf = ElfFile.read(program);
			if (!elf.isStaticallyLinked()) {
				dynamic.add(root.relativize(program) + " (loader " + elf.interpreter().orElse("none") + ", needs "
						+ elf.needed() + ")");
			}
		}
		if (!dynamic.isEmpty()) {
			throw new BuildException(
					"the static variant needs statically linked programs, but these are " + "dynamically linked: "
							+ String.join("; ", dynamic) + ". Build them statically or use the " + "chroot variant");
		}
	}

	private void copyInstall(Path install, Path target) throws IOException {
		for (String part : List.of("bin", "lib", "share")) {
			Path source = install.resolve(part);
			if (!Files.isDirectory(source)) {
				continue;
			}
			try (Stream<Path> paths = Files.walk(source)) {
				for (Path path : paths.sorted().toList()) {
					String relative = install.relativize(path).toString();
					if (skipped(relative)) {
						continue;
					}
					Path to = target.resolve(relative);
					if (Files.isSymbolicLink(path)) {
						Path linkTarget = Files.readSymbolicLink(path);
						Path resolved = path.getParent().resolve(linkTarget).normalize();
						Files.createDirectories(to.getParent());
						if (!linkTarget.isAbsolute() && resolved.startsWith(install) && Files.exists(resolved)) {
							Files.createSymbolicLink(to, linkTarget);
						}
						else {
							// a link leaving the installation would dangle in the chroot:
							// take its content
							Files.copy(path, to);
						}
					}
					else if (Files.isDirectory(path)) {
						Files.createDirectories(to);
					}
					else if (Files.isRegularFile(path)) {
						Files.createDirectories(to.getParent());
						Files.copy(path, to, StandardCopyOption.COPY_ATTRIBUTES);
					}
				}
			}
		}
	}

	private static boolean skipped(String relative) {
		// static archives and pkg-config files are for building against Postgres, never
		// loaded at run time
		return relative.endsWith(".a") || relative.equals("lib/pkgconfig") || relative.startsWith("lib/pkgconfig/");
	}

	private static List<Path> elfFiles(Path dir) throws IOException {
		List<Path> elfs = new ArrayList<>();
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted().toList()) {
				if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && ElfFile.isElf(path)) {
					elfs.add(path);
				}
			}
		}
		return elfs;
	}

	private void stageShell(Path root, LibraryClosure closure, HostFiles hostFiles) throws IOException {
		// initdb runs postgres through popen(), that is /bin/sh -c; the LAUNCHER is a
		// shell script too
		Path target = hostFiles.copy(Path.of("/bin/sh"), root.resolve("bin/sh"));
		addHostProgramClosure(target, "/bin/sh", closure);
	}

	private void stageHostPrograms(Path root, LibraryClosure closure, HostFiles hostFiles) throws IOException {
		for (Path program : HOST_PROGRAMS) {
			if (!Files.isRegularFile(program)) {
				throw new BuildException(program + " is not on this machine: the bundle needs it ("
						+ "env for the LAUNCHER's clean environment, locale for initdb's libc collations)");
			}
			addHostProgramClosure(hostFiles.copySamePath(program), program.toString(), closure);
		}
	}

	private static void addHostProgramClosure(Path target, String name, LibraryClosure closure) throws IOException {
		if (ElfFile.isElf(target) && !ElfFile.read(target).isStaticallyLinked()) {
			closure.add(target, null);
			Map<String, List<String>> fatal = closure.unresolvedFrom(List.of(target));
			if (!fatal.isEmpty()) {
				throw new BuildException(name + " cannot start in the bundle: " + fatal);
			}
		}
	}

	private static void stageCUtf8Locale(HostFiles hostFiles) throws IOException {
		Path locale = C_UTF8_LOCALE.stream()
			.filter(Files::isDirectory)
			.findFirst()
			.orElseThrow(() -> new BuildException("glibc's C.UTF-8 locale is not on this machine (looked in "
					+ C_UTF8_LOCALE + "): initdb in the bundle would find no libc locale besides C and POSIX"));
		hostFiles.copyTreeSamePath(locale);
	}

	private String stageGconvIfUsed(LibraryClosure closure, HostFiles hostFiles) throws IOException {
		boolean used = false;
		for (ElfFile elf : closure.elfFiles()) {
			boolean isLibc = elf.soname().map((s) -> s.startsWith("libc.so")).orElse(false);
			if (!isLibc && elf.namesDynamicSymbol("iconv_open")) {
				used = true;
				break;
			}
		}
		if (!used) {
			return null;
		}
		for (Path dir : this.gconvDirs) {
			if (Files.isRegularFile(dir.resolve("gconv-modules"))) {
				Path target = hostFiles.copyTreeSamePath(dir);
				for (Path module : elfFiles(target)) {
					closure.add(module, null);
				}
				return dir.toString();
			}
		}
		logger.warn("Libraries call iconv_open, but no gconv modules were found in {}: conversions other than "
				+ "glibc's built-in ones will fail", this.gconvDirs);
		return null;
	}

	private static void stageChrootEssentials(Path root, List<ChrootUser> users) throws IOException {
		Path etc = Files.createDirectories(root.resolve("etc"));
		StringBuilder passwd = new StringBuilder("root:x:0:0:root:/:/bin/sh\n");
		StringBuilder group = new StringBuilder("root:x:0:\n");
		for (ChrootUser user : users) {
			passwd.append(user.name())
				.append(":x:")
				.append(user.uid())
				.append(':')
				.append(user.gid())
				.append(':')
				.append(user.name())
				.append(":/nonexistent:/bin/sh\n");
			if (user.gid() != 0) {
				group.append(user.name()).append(":x:").append(user.gid()).append(":\n");
			}
		}
		Files.writeString(etc.resolve("passwd"), passwd);
		Files.writeString(etc.resolve("group"), group);
		Files.writeString(etc.resolve("nsswitch.conf"), NSSWITCH);
		Files.writeString(etc.resolve("hosts"), HOSTS);
		// /dev/null cannot be packed portably (a device node); whoever launches creates
		// it
		Files.createDirectories(root.resolve("dev"));
		Files.createDirectories(root.resolve("tmp"));
		Files.createDirectories(root.resolve("inout"));
	}

	private static String glibcVersion(Path root) throws IOException {
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path libc : paths.filter((p) -> p.getFileName().toString().equals("libc.so.6")).sorted().toList()) {
				String text = new String(Files.readAllBytes(libc), StandardCharsets.ISO_8859_1);
				Matcher m = GLIBC_VERSION.matcher(text);
				if (m.find()) {
					return m.group(1);
				}
			}
		}
		return null;
	}

	static boolean versionBefore(String version, int major, int minor) {
		String[] parts = version.split("\\.");
		int haveMajor = Integer.parseInt(parts[0]);
		int haveMinor = (parts.length > 1) ? Integer.parseInt(parts[1]) : 0;
		return haveMajor < major || (haveMajor == major && haveMinor < minor);
	}

	private static String icuVersion(Path majorLib, Path root) throws IOException {
		for (Path dir : List.of(majorLib, root)) {
			if (!Files.isDirectory(dir)) {
				continue;
			}
			try (Stream<Path> paths = Files.walk(dir)) {
				List<String> versions = paths.filter((p) -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
					.map((p) -> ICU_FILE.matcher(p.getFileName().toString()))
					.filter(Matcher::matches)
					.map((m) -> m.group(1))
					.sorted(Comparator.comparing(String::length).thenComparing(Comparator.naturalOrder()))
					.toList();
				if (!versions.isEmpty()) {
					return versions.get(versions.size() - 1);
				}
			}
		}
		return null;
	}

	static String launcher(Iterable<PgMajor> majors, List<String> hostLibraryDirs, String gconvDir) {
		StringBuilder versions = new StringBuilder();
		for (PgMajor major : majors) {
			versions.append((versions.length() > 0) ? "|" : "").append(major);
		}
		StringBuilder libraryPath = new StringBuilder("/v$version/lib");
		for (String dir : hostLibraryDirs) {
			libraryPath.append(':').append(dir);
		}
		String template = """
				#!/bin/sh
				# /LAUNCHER VERSION PG_BINARY [FLAGS...]: runs one program of one Postgres major of this
				# bundle, inside a chroot of the bundle, from / and with a fixed environment: nothing of
				# the caller's environment reaches the program but PGDATA and PGPORT. The contract is
				# described in docs/bundles.md.
				if [ "$#" -lt 2 ]; then
					echo "usage: /LAUNCHER VERSION PG_BINARY [FLAGS...]" >&2
					exit 64
				fi
				version=$1
				program=$2
				shift 2
				case "$version" in
				@VERSIONS@) ;;
				*)
					echo "LAUNCHER: this bundle holds no Postgres $version (it holds @LIST@)" >&2
					exit 64
					;;
				esac
				case "$program" in
				'' | */* | .* | *=*)
					echo "LAUNCHER: '$program' is not a program name" >&2
					exit 64
					;;
				esac
				if [ ! -x "/v$version/bin/$program" ]; then
					echo "LAUNCHER: Postgres $version has no program $program" >&2
					exit 64
				fi
				if [ ! -c /dev/null ]; then
					echo "LAUNCHER: /dev/null is missing: create it before the chroot (mknod -m 666 dev/null c 1 3)" >&2
					exit 69
				fi
				cd / || exit 69
				# the loader's variables go before env runs, so that env itself starts clean too
				unset LD_PRELOAD LD_AUDIT LD_LIBRARY_PATH LD_BIND_NOW LD_BIND_NOT LD_DEBUG LD_DEBUG_OUTPUT
				unset LD_DYNAMIC_WEAK LD_HWCAP_MASK LD_ORIGIN_PATH LD_PROFILE LD_PROFILE_OUTPUT LD_SHOW_AUXV
				unset LD_USE_LOAD_BIAS LD_ASSUME_KERNEL GLIBC_TUNABLES MALLOC_CHECK_ MALLOC_PERTURB_ GCONV_PATH LOCPATH
				exec /usr/bin/env -i PATH="/v$version/bin:/usr/bin:/bin" LD_LIBRARY_PATH="@LIBRARY_PATH@" \\
					@GCONV@LC_ALL=C TZ=UTC HOME=/nonexistent ${PGDATA+"PGDATA=$PGDATA"} ${PGPORT+"PGPORT=$PGPORT"} \\
					"/v$version/bin/$program" "$@"
				""";
		return template.replace("@VERSIONS@", versions)
			.replace("@LIST@", versions.toString().replace('|', ' '))
			.replace("@LIBRARY_PATH@", libraryPath)
			.replace("@GCONV@", (gconvDir != null) ? "GCONV_PATH=" + gconvDir + " " : "");
	}

	private static void normalizeModes(Path root) throws IOException {
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.toList()) {
				if (Files.isSymbolicLink(path)) {
					continue;
				}
				int mode;
				if (Files.isDirectory(path)) {
					mode = path.equals(root.resolve("tmp")) ? 01777 : 0755;
				}
				else {
					mode = ((BundleTree.mode(path) & 0111) != 0) ? 0755 : 0644;
				}
				Files.setAttribute(path, "unix:mode", mode);
			}
		}
	}

	private Result pack(Path root, BundleManifest manifest, Request request, Path work) throws IOException {
		List<FileEntry> entries = new ArrayList<>(manifest.files());
		entries.add(BundleTree.entry(root, root.resolve(BundleManifest.PATH)));
		Path temp = work.resolve("bundle.tar.zst");
		MessageDigest md = Sha256Digest.newDigest();
		try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), md)) {
			BundleArchive.write(root, entries, request.sourceDateEpoch(), this.zstdLevel, out);
		}
		Sha256Digest digest = Sha256Digest.fromDigest(md);
		Path file = request.outputDir().resolve(BundleArchive.fileName(digest.hex()));
		Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		long size = Files.size(file);
		logger.info("Built {} ({} bytes, PG {})", file, size, manifest.pgVersions());
		return new Result(file, digest, size, manifest);
	}

}
