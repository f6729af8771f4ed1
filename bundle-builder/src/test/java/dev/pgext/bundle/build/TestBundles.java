package dev.pgext.bundle.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import dev.pgext.bundle.archive.BundleArchive;
import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.BuilderInfo;
import dev.pgext.bundle.archive.BundleManifest.Variant;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.model.PgMajor;
import dev.pgext.model.postgres.PostgresBinaries;

/**
 * Bundles for tests: a builder configured like the application's defaults, one PG 15 + PG
 * 17 bundle built once per test JVM and shared by every test class, and ways to break a
 * copy of it.
 */
public final class TestBundles {

	/** The timestamp test bundles carry. */
	public static final long EPOCH = 1_700_000_000L;

	/** Debian and most glibc distributions keep libraries here. */
	public static final List<Path> HOST_LIBRARY_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"),
			Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"),
			Path.of("/usr/lib"));

	private static BundleBuilder.Result shared;

	private static Path sharedTree;

	private static BundleBuilder.Result pg14;

	private static Path pg14Tree;

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
			shared = build(inputs());
		}
		return shared;
	}

	/**
	 * A PG 14 chroot bundle (the major whose statistics collector needs
	 * {@code localhost}), built on first use.
	 */
	public static synchronized BundleBuilder.Result pg14() {
		if (pg14 == null) {
			pg14 = build(List.of(PostgresBinaries.locate(new PgMajor(14)).jar()));
		}
		return pg14;
	}

	/**
	 * A private copy of the extracted {@link #pg14()} bundle, as
	 * {@link #twoMajorsTree(Path)} makes it.
	 */
	public static synchronized Path pg14Tree(Path dir) throws IOException {
		if (pg14Tree == null) {
			Path bundle = pg14().file();
			pg14Tree = extract(bundle, bundle.resolveSibling("tree"));
		}
		return linkCopy(pg14Tree, dir);
	}

	private static BundleBuilder.Result build(List<Path> inputs) {
		try {
			Path dir = Files.createTempDirectory("pgext-test-bundle-");
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					PostgresBinaries.deleteTree(dir);
				}
				catch (IOException ex) {
					// a leftover temp directory is harmless
				}
			}));
			return builder().build(new BundleBuilder.Request(inputs, Variant.CHROOT, dir, EPOCH));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A private copy of the extracted {@link #twoMajors()} bundle at {@code dir}, made of
	 * hard links to one shared extraction: replace a file (delete, then write) rather
	 * than writing into it.
	 */
	public static synchronized Path twoMajorsTree(Path dir) throws IOException {
		if (sharedTree == null) {
			Path bundle = twoMajors().file();
			sharedTree = extract(bundle, bundle.resolveSibling("tree"));
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
