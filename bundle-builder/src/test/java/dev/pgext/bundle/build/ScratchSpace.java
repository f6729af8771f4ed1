package dev.pgext.bundle.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.model.place.FileTrees;
import dev.pgext.model.place.JvmOwnedDirectories;

/**
 * Where this module's tests write: every {@code @TempDir} (this class is the module's
 * default {@link TempDirFactory}, see {@code junit-platform.properties}) and the trees
 * and builds of {@link TestBundles}. The tests extract, copy and delete the 130 MB tree
 * of a bundle about twenty times and {@code fetch} syncs every file it places; on a
 * memory file system that costs a third of the kernel time it costs on a disk, and the
 * syncs wait for no disk.
 * <p>
 * The directory {@value #PROPERTY} names (the module's pom names {@code /dev/shm}) is
 * used when it is a {@code tmpfs} that allows devices and programs (verify creates the
 * chroot's {@code /dev/null} and runs the bundle's programs there) and it and the
 * machine's memory have {@value #MIN_FREE_GIB} GiB free; otherwise, and without the
 * property, the JVM's temporary directory. Each test JVM works in a directory of its own
 * there, removed when the JVM exits; one a killed JVM left behind is removed by the next
 * JVM that starts.
 */
public final class ScratchSpace implements TempDirFactory {

	/** The system property naming the preferred parent directory. */
	public static final String PROPERTY = "pgext.test.scratch-dir";

	static final int MIN_FREE_GIB = 4;

	private static final String PREFIX = "pgext-bundle-builder-tests-";

	private static final Logger logger = LoggerFactory.getLogger(ScratchSpace.class);

	private static Path root;

	/** A new directory in this JVM's scratch space. */
	public static Path newDirectory(String prefix) throws IOException {
		return Files.createTempDirectory(root(), prefix);
	}

	@Override
	public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
			throws IOException {
		return newDirectory("junit-");
	}

	/** This JVM's directory, created on first use. */
	static synchronized Path root() {
		if (root == null) {
			try {
				Path parent = preferred().orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir")));
				Path dir = Files.createDirectory(JvmOwnedDirectories.own(parent, PREFIX, ""));
				Runtime.getRuntime().addShutdownHook(new Thread(() -> {
					try {
						FileTrees.delete(dir);
					}
					catch (IOException ex) {
						// the next JVM removes it
					}
				}));
				root = dir;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return root;
	}

	private static Optional<Path> preferred() throws IOException {
		String name = System.getProperty(PROPERTY);
		if (name == null || name.isBlank()) {
			return Optional.empty();
		}
		Path dir = Path.of(name);
		String unsuitable = unsuitable(dir);
		if (unsuitable != null) {
			logger.info("Tests write to {}, not {}: {}", System.getProperty("java.io.tmpdir"), dir, unsuitable);
			return Optional.empty();
		}
		return Optional.of(dir);
	}

	/** Why {@code dir} is no scratch space for these tests, {@code null} when it is. */
	static String unsuitable(Path dir) throws IOException {
		if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
			return "not a writable directory";
		}
		FileStore store = Files.getFileStore(dir);
		if (!"tmpfs".equals(store.type())) {
			return "a " + store.type() + " file system, not tmpfs";
		}
		Optional<List<String>> options = mountOptions(dir.toRealPath());
		if (options.isEmpty()) {
			return "its mount is not in /proc/self/mounts";
		}
		if (options.get().contains("nodev") || options.get().contains("noexec")) {
			return "mounted " + String.join(",", options.get()) + " (the chroot needs devices and programs)";
		}
		long gib = 1L << 30;
		if (store.getUsableSpace() < MIN_FREE_GIB * gib) {
			return (store.getUsableSpace() / gib) + " GiB free, less than " + MIN_FREE_GIB;
		}
		long available = memAvailable();
		if (available < MIN_FREE_GIB * gib) {
			return "the machine has " + (available / gib) + " GiB of memory available, less than " + MIN_FREE_GIB;
		}
		return null;
	}

	/**
	 * The options of the mount {@code dir} lies on (the longest matching mount point).
	 */
	private static Optional<List<String>> mountOptions(Path dir) throws IOException {
		Path best = null;
		List<String> options = null;
		for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
			String[] fields = line.split(" ");
			if (fields.length < 4) {
				continue;
			}
			Path mountPoint = Path.of(fields[1].replace("\\040", " "));
			if (dir.startsWith(mountPoint) && (best == null || mountPoint.getNameCount() >= best.getNameCount())) {
				best = mountPoint;
				options = List.of(fields[3].split(","));
			}
		}
		return Optional.ofNullable(options);
	}

	private static long memAvailable() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
			if (line.startsWith("MemAvailable:")) {
				return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
			}
		}
		return 0;
	}

	/** Removes the directories of test JVMs that are gone. */

}
