package dev.pgext.bundle.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import dev.pgext.bundle.archive.BundleArchive;
import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.BuilderInfo;
import dev.pgext.bundle.archive.BundleManifest.Variant;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.testsupport.PostgresInstalls;

/**
 * Bundles for tests: a builder configured like the application's defaults, one PG 15 + PG
 * 17 bundle and one PG 14 bundle built once per build and shared by every test class and
 * every test JVM of the module, and ways to break a copy of them.
 * <p>
 * The build's test JVMs share the bundles through the directory
 * {@value #SHARED_DIR_PROPERTY} names (the module's pom gives each build its own): the
 * first JVM to need a bundle builds it there while holding a file lock, the others wait
 * for the lock and read the finished file. Without the property (a test started from an
 * IDE) each JVM builds its own into a temporary directory. Extracted trees are always the
 * JVM's own.
 */
public final class TestBundles {

	/** The timestamp test bundles carry. */
	public static final long EPOCH = 1_700_000_000L;

	/**
	 * The system property naming the directory where the test JVMs of one build share
	 * their bundles.
	 */
	public static final String SHARED_DIR_PROPERTY = "pgext.test.bundles-dir";

	/** Debian and most glibc distributions keep libraries here. */
	public static final List<Path> HOST_LIBRARY_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"),
			Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"),
			Path.of("/usr/lib"));

	private static BundleBuilder.Result shared;

	private static Path sharedTree;

	private static BundleBuilder.Result pg14;

	private static Path pg14Tree;

	private static boolean earlierBuildsRemoved;

	private TestBundles() {
	}

	public static BundleBuilder builder() {
		return new BundleBuilder(new BuilderInfo("pgext bundle-builder", "test"), HOST_LIBRARY_DIRS,
				List.of(Path.of("/usr/lib/x86_64-linux-gnu/gconv")), 3, List.of(ChrootUser.NOBODY));
	}

	/** The jars of the PG 15 and PG 17 binaries. */
	public static List<Path> inputs() {
		return List.of(PostgresBinaries.locate(new PgMajor(15)).jar(), PostgresBinaries.locate(new PgMajor(17)).jar());
	}

	/**
	 * A PG 15 + PG 17 chroot bundle, built on first use; callers must not change the
	 * file.
	 */
	public static synchronized BundleBuilder.Result twoMajors() {
		if (shared == null) {
			shared = shared("pg15-pg17", inputs());
		}
		return shared;
	}

	/**
	 * A PG 14 chroot bundle (the major whose statistics collector needs
	 * {@code localhost}), built on first use from the build's shared PG 14 installation
	 * ({@link PostgresInstalls#shared(int)}): the tests that use it check what it does,
	 * not where it came from, and a directory input spares the xz decoding of the
	 * binaries jar when another test extracted that installation already.
	 */
	public static synchronized BundleBuilder.Result pg14() {
		if (pg14 == null) {
			pg14 = shared("pg14", List.of(PostgresInstalls.shared(14).root()));
		}
		return pg14;
	}

	/**
	 * A private copy of the extracted {@link #pg14()} bundle, as
	 * {@link #twoMajorsTree(Path)} makes it.
	 */
	public static synchronized Path pg14Tree(Path dir) throws IOException {
		if (pg14Tree == null) {
			pg14Tree = extract(pg14().file(), temporaryDirectory("pgext-test-tree-").resolve("tree"));
		}
		return linkCopy(pg14Tree, dir);
	}

	/**
	 * The bundle {@code name} of this build: read from the shared directory when another
	 * test JVM built it already, else built (into it when there is one).
	 */
	private static BundleBuilder.Result shared(String name, List<Path> inputs) {
		try {
			String sharedDir = System.getProperty(SHARED_DIR_PROPERTY);
			if (sharedDir == null) {
				return build(inputs, temporaryDirectory("pgext-test-bundle-"));
			}
			Path parent = Files.createDirectories(Path.of(sharedDir));
			removeEarlierBuilds(parent);
			Path dir = parent.resolve(name);
			try (FileChannel channel = FileChannel.open(parent.resolve(name + ".lock"), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
				if (!Files.isDirectory(dir)) {
					// built beside it and renamed: a JVM that dies while building
					// leaves no half-written bundle for the others
					Path work = Files.createTempDirectory(parent, "." + name + "-");
					build(inputs, work);
					Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
				}
				try (Stream<Path> files = Files.list(dir)) {
					Path file = files.filter((f) -> f.getFileName().toString().endsWith(".tar.zst"))
						.findFirst()
						.orElseThrow(() -> new IOException(dir + " holds no bundle"));
					return new BundleBuilder.Result(file, Sha256Digest.of(file), Files.size(file),
							BundleArchive.readManifest(file));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Removes the bundles earlier builds left beside this build's directory (each build
	 * has its own, named by the build's start), once per JVM.
	 */
	private static void removeEarlierBuilds(Path buildDir) throws IOException {
		if (earlierBuildsRemoved) {
			return;
		}
		Path builds = buildDir.getParent();
		// the JVMs of this build may get here at the same time
		try (FileChannel channel = FileChannel.open(builds.resolve(".lock"), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE); FileLock lock = channel.lock(); Stream<Path> dirs = Files.list(builds)) {
			for (Path earlier : dirs.filter((dir) -> !dir.equals(buildDir) && Files.isDirectory(dir)).toList()) {
				FileTrees.delete(earlier);
			}
		}
		earlierBuildsRemoved = true;
	}

	/**
	 * Builds in the {@link ScratchSpace} (the build extracts, copies and deletes the
	 * inputs' trees) and moves the bundle to {@code dir}.
	 */
	private static BundleBuilder.Result build(List<Path> inputs, Path dir) throws IOException {
		Path work = temporaryDirectory("pgext-test-bundle-");
		BundleBuilder.Result built = builder().build(new BundleBuilder.Request(inputs, Variant.CHROOT, work, EPOCH));
		Path file = Files.move(built.file(), dir.resolve(built.file().getFileName()));
		FileTrees.delete(work);
		return new BundleBuilder.Result(file, built.sha256(), built.size(), built.manifest());
	}

	/** A new directory in the {@link ScratchSpace}, removed when the JVM exits. */
	private static Path temporaryDirectory(String prefix) throws IOException {
		return ScratchSpace.newDirectory(prefix);
	}

	/**
	 * A private copy of the extracted {@link #twoMajors()} bundle at {@code dir}, made of
	 * hard links to one shared extraction: replace a file (delete, then write) rather
	 * than writing into it.
	 */
	public static synchronized Path twoMajorsTree(Path dir) throws IOException {
		if (sharedTree == null) {
			sharedTree = extract(twoMajors().file(), temporaryDirectory("pgext-test-tree-").resolve("tree"));
		}
		return linkCopy(sharedTree, dir);
	}

	private static Path linkCopy(Path tree, Path dir) throws IOException {
		try {
			Process copy = new ProcessBuilder("cp", "-al", tree.toString(), dir.toString()).inheritIO().start();
			if (copy.waitFor() != 0) {
				throw new IOException("cp -al " + tree + " " + dir + " failed");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
		return dir;
	}

	/**
	 * Makes an extracted bundle ready for {@code chroot --userspec=65534:65534}, as
	 * verify does: {@code /dev/null}, a root directory others may enter, {@code /inout}
	 * owned by 65534.
	 */
	public static Path prepareChroot(Path tree) throws IOException, InterruptedException {
		Files.setAttribute(tree, "unix:mode", 0755);
		for (List<String> command : List.of(
				List.of("mknod", "-m", "666", tree.resolve("dev/null").toString(), "c", "1", "3"),
				List.of("chown", "65534:65534", tree.resolve("inout").toString()))) {
			if (new ProcessBuilder(command).inheritIO().start().waitFor() != 0) {
				throw new IOException(command + " failed");
			}
		}
		return tree;
	}

	/**
	 * Replaces the file at {@code path} with new content without touching other links to
	 * the old one.
	 */
	public static void replace(Path path, String content) throws IOException {
		Files.delete(path);
		Files.writeString(path, content);
	}

	/** Extracts {@code bundle} into {@code dir}. */
	public static Path extract(Path bundle, Path dir) throws IOException {
		try (InputStream in = Files.newInputStream(bundle)) {
			BundleArchive.extract(in, dir);
		}
		return dir;
	}

	/**
	 * Packs an extracted (and changed) bundle tree into {@code file}, with
	 * {@code bundle.json} as {@code manifestChange} leaves it.
	 */
	public static Path repack(Path tree, Path file, UnaryOperator<BundleManifest> manifestChange) throws IOException {
		Path manifestFile = tree.resolve(BundleManifest.PATH);
		BundleManifest manifest = manifestChange.apply(BundleJson.readManifest(manifestFile));
		Files.delete(manifestFile);
		Files.write(manifestFile, BundleJson.write(manifest));
		try (OutputStream out = Files.newOutputStream(file)) {
			BundleArchive.write(tree, BundleTree.scan(tree), EPOCH, 1, out);
		}
		return file;
	}

}
