package dev.pgext.bundle.verify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.bundle.archive.BundleArchive;
import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.PostgresEntry;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.postgres.PostgresBinaries;
import dev.pgext.model.postgres.Unprivileged;

/**
 * Verifies a bundle. The chroot is the point: inside it nothing from the host is visible, so a
 * library, data file or device the bundle lacks makes {@code initdb} fail, and the failure is
 * reported with the missing file's name.
 * <p>
 * The programs run through {@code chroot --userspec=65534:65534}: {@code chroot(2)} needs root, and
 * Postgres refuses to run as root, so the JVM must be root and the programs must not be. A user
 * namespace ({@code unshare --user --map-root-user}) would allow the chroot without root, but
 * inside it the programs would be uid 0 again, which {@code initdb} refuses.
 */
public class BundleVerifier {

	/** The unprivileged uid and gid the bundle's programs run as (nobody/nogroup in the bundle's passwd). */
	public static final int UID = 65534;

	private static final Logger logger = LoggerFactory.getLogger(BundleVerifier.class);

	private static final Pattern MISSING_LIBRARY = Pattern
		.compile("error while loading shared libraries: ([^:\\s]+)");

	private static final Pattern BUNDLE_NAME = Pattern.compile("pg-bundle-([0-9a-f]{64})\\.tar\\.zst");

	private final Duration timeout;

	/** @param timeout how long one program may run */
	public BundleVerifier(Duration timeout) {
		this.timeout = timeout;
	}

	/**
	 * What a successful verification found.
	 *
	 * @param sha256 the bundle's digest
	 * @param manifest its manifest
	 */
	public record Report(Sha256Digest sha256, BundleManifest manifest) {
	}

	/**
	 * Extracts {@code bundle} into a fresh directory under {@code workParent}, checks it and removes
	 * the directory again.
	 * @throws VerificationException when a file is missing, differs or a program fails
	 */
	public Report verify(Path bundle, Path workParent) throws IOException {
		if (!Unprivileged.isRoot()) {
			throw new VerificationException("cannot verify " + bundle,
					List.of("verify runs the bundle in a chroot, which needs root: run it as root (the programs "
							+ "themselves run as uid " + UID + ")"));
		}
		Sha256Digest digest = Sha256Digest.of(bundle);
		Matcher name = BUNDLE_NAME.matcher(bundle.getFileName().toString());
		if (name.matches() && !name.group(1).equals(digest.hex())) {
			throw new VerificationException("bundle " + bundle + " is not what its name says",
					List.of("its sha256 is " + digest.hex()));
		}
		Files.createDirectories(workParent);
		Path root = Files.createTempDirectory(workParent, "pg-bundle-verify-");
		try {
			try (InputStream in = Files.newInputStream(bundle)) {
				BundleArchive.extract(in, root);
			}
			BundleManifest manifest = BundleJson.readManifest(root.resolve(BundleManifest.PATH));
			List<String> problems = BundleTree.problems(root, manifest);
			if (!problems.isEmpty()) {
				throw new VerificationException("bundle " + digest + " does not match its " + BundleManifest.PATH,
						problems);
			}
			prepareChroot(root);
			for (Map.Entry<String, PostgresEntry> major : manifest.postgres().entrySet()) {
				runMajor(root, major.getKey(), major.getValue(), problems);
			}
			if (!problems.isEmpty()) {
				throw new VerificationException("bundle " + digest + " does not run in a chroot", problems);
			}
			logger.info("Verified bundle {}: PG {} run in a chroot", digest, manifest.pgVersions());
			return new Report(digest, manifest);
		}
		finally {
			PostgresBinaries.deleteTree(root);
		}
	}

	private void prepareChroot(Path root) throws IOException {
		// a temporary directory is private to root; the bundle's programs run as another user
		Files.setAttribute(root, "unix:mode", 0755);
		Path devNull = root.resolve("dev/null");
		Files.createDirectories(devNull.getParent());
		Result mknod = run(List.of("mknod", "-m", "666", devNull.toString(), "c", "1", "3"));
		if (mknod.exit() != 0) {
			throw new IOException("cannot create " + devNull + ": " + mknod.output());
		}
		Result chown = run(List.of("chown", UID + ":" + UID, root.resolve("inout").toString()));
		if (chown.exit() != 0) {
			throw new IOException("cannot hand /inout to uid " + UID + ": " + chown.output());
		}
	}

	private void runMajor(Path root, String major, PostgresEntry entry, List<String> problems) throws IOException {
		Result version = run(chroot(root, major, List.of("postgres", "--version")));
		if (version.exit() != 0) {
			problems.add(failure("PG " + major + ": postgres --version", version));
			return;
		}
		if (!version.output().strip().equals(entry.versionOutput())) {
			problems.add("PG " + major + ": postgres --version printed '" + version.output().strip() + "', "
					+ BundleManifest.PATH + " says '" + entry.versionOutput() + "'");
		}
		String data = "/inout/" + major;
		Result initdb = run(chroot(root, major, List.of("initdb", "-D", data, "-E", "UTF8", "--locale=C",
				"--auth=trust", "--no-sync", "--no-instructions")));
		if (initdb.exit() != 0) {
			problems.add(failure("PG " + major + ": initdb", initdb));
			return;
		}
		Path pgVersion = root.resolve(data.substring(1)).resolve("PG_VERSION");
		if (!Files.isRegularFile(pgVersion) || !Files.readString(pgVersion).strip().equals(major)) {
			problems.add("PG " + major + ": initdb exited 0 but " + data + "/PG_VERSION does not say " + major);
		}
	}

	private static List<String> chroot(Path root, String major, List<String> program) {
		List<String> command = new ArrayList<>(List.of("chroot", "--userspec=" + UID + ":" + UID, root.toString(),
				"/LAUNCHER", major));
		command.addAll(program);
		return command;
	}

	private static String failure(String what, Result result) {
		Matcher m = MISSING_LIBRARY.matcher(result.output());
		if (m.find()) {
			return what + " failed: the bundle lacks the shared library " + m.group(1) + " (" + result.output().strip()
					+ ")";
		}
		return what + " exited with " + result.exit() + ": " + result.output().strip();
	}

	private Result run(List<String> command) throws IOException {
		Path log = Files.createTempFile("pg-bundle-verify-", ".log");
		try {
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
			// the chroot gets nothing from this process' environment; the LAUNCHER sets what it needs
			builder.environment().clear();
			builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
			Process process = builder.start();
			try {
				boolean finished = process.waitFor(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
				if (!finished) {
					// initdb leaves its postgres children behind when killed alone
					process.descendants().forEach(ProcessHandle::destroyForcibly);
					process.destroyForcibly().waitFor();
					return new Result(-1, "timed out after " + this.timeout + ": " + tail(log));
				}
				return new Result(process.exitValue(), tail(log));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				process.destroyForcibly();
				throw new IOException("interrupted while running " + command, ex);
			}
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	private static String tail(Path log) throws IOException {
		byte[] bytes = Files.readAllBytes(log);
		int from = Math.max(0, bytes.length - 16 * 1024);
		return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
	}

	private record Result(int exit, String output) {
	}

}
