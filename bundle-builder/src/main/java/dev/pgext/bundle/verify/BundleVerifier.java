package dev.pgext.bundle.verify;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.bundle.archive.BundleArchive;
import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleManifest.PostgresEntry;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.place.JvmOwnedDirectories;
import dev.pgext.model.postgres.Unprivileged;

/**
 * Verifies a bundle. The chroot is the point: inside it nothing from the host is visible,
 * so a library, data file or device the bundle lacks makes {@code initdb} fail, and the
 * failure is reported with the missing file's name. Each major's {@code initdb} must
 * print no warning, and each major's server is started in the chroot, queried over TCP
 * from this JVM and stopped: a {@code WARNING}, {@code ERROR}, {@code FATAL} or
 * {@code PANIC} line in its log fails the bundle (PG 14 without name resolution of
 * {@code localhost}, for example, logs that autovacuum is off).
 * <p>
 * The programs run through {@code chroot --userspec=65534:65534}: {@code chroot(2)} needs
 * root, and Postgres refuses to run as root, so the JVM must be root and the programs
 * must not be. A user namespace ({@code unshare --user --map-root-user}) would allow the
 * chroot without root, but inside it the programs would be uid 0 again, which
 * {@code initdb} refuses.
 */
public class BundleVerifier {

	/**
	 * The unprivileged uid and gid the bundle's programs run as (nobody/nogroup in the
	 * bundle's passwd).
	 */
	public static final int UID = 65534;

	private static final Logger logger = LoggerFactory.getLogger(BundleVerifier.class);

	private static final Pattern MISSING_LIBRARY = Pattern.compile("error while loading shared libraries: ([^:\\s]+)");

	private static final Pattern BUNDLE_NAME = Pattern.compile("pg-bundle-([0-9a-f]{64})\\.tar\\.zst");

	/**
	 * A log or initdb line that makes the bundle fail: a server message of these levels,
	 * or an error of {@code /bin/sh} (initdb prints it after its own progress text on the
	 * same line).
	 */
	private static final Pattern BAD_LINE = Pattern.compile("\\b(WARNING|ERROR|FATAL|PANIC):|\\bsh: \\d+: ");

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Ports tried when another process takes the free port before the server binds it.
	 */
	private static final int PORT_ATTEMPTS = 3;

	/** A verification's tree and logs: {@code pg-bundle-verify-<pid>-…}. */
	private static final String WORK_PREFIX = "pg-bundle-verify-";

	private static final String READY = "database system is ready to accept connections";

	private final Duration timeout;

	/**
	 * @param timeout how long one program may run
	 */
	public BundleVerifier(Duration timeout) {
		this.timeout = timeout;
	}

	/**
	 * What a successful verification found.
	 *
	 * @param sha256 the bundle's digest
	 * @param manifest its manifest
	 * @param majors what each major's programs did in the chroot, keyed by the major
	 */
	public record Report(Sha256Digest sha256, BundleManifest manifest, Map<String, MajorReport> majors) {
	}

	/**
	 * What one major did in the chroot.
	 *
	 * @param initdbOutput everything {@code initdb} printed
	 * @param serverVersion what {@code SELECT version()} answered
	 * @param libcCollations the names of the libc collations {@code initdb} imported into
	 * {@code pg_collation}
	 * @param serverLog everything the server logged from start to stop
	 */
	public record MajorReport(String initdbOutput, String serverVersion, List<String> libcCollations,
			String serverLog) {
	}

	/**
	 * The digest a file named {@code pg-bundle-<sha256>.tar.zst} claims, empty for any
	 * other name.
	 */
	public static Optional<Sha256Digest> digestInName(Path bundle) {
		Matcher name = BUNDLE_NAME.matcher(bundle.getFileName().toString());
		return name.matches() ? Optional.of(new Sha256Digest(name.group(1))) : Optional.empty();
	}

	/**
	 * Extracts {@code bundle} into a fresh directory under {@code workParent}, checks it
	 * and removes the directory again.
	 * @param expected the digest the file must have (from its name, or given by the
	 * caller)
	 * @throws VerificationException when the digest differs, a file is missing or
	 * differs, or a program fails or warns
	 */
	public Report verify(Path bundle, Sha256Digest expected, Path workParent) throws IOException {
		if (!Unprivileged.isRoot()) {
			throw new VerificationException("cannot verify " + bundle,
					List.of("verify runs the bundle in a chroot, which needs root: run it as root (the programs "
							+ "themselves run as uid " + UID + ")"));
		}
		Sha256Digest digest = Sha256Digest.of(bundle);
		if (!digest.equals(expected)) {
			throw new VerificationException("bundle " + bundle + " is not the expected bundle " + expected.hex(),
					List.of("its sha256 is " + digest.hex()));
		}
		Files.createDirectories(workParent);
		removeInterruptedRuns(workParent);
		removeInterruptedRuns(Path.of(System.getProperty("java.io.tmpdir")));
		Path root = Files.createTempDirectory(workParent, JvmOwnedDirectories.ownPrefix(WORK_PREFIX));
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
			Map<String, MajorReport> majors = new TreeMap<>();
			for (Map.Entry<String, PostgresEntry> major : manifest.postgres().entrySet()) {
				runMajor(root, workParent, major.getKey(), major.getValue(), problems)
					.ifPresent((report) -> majors.put(major.getKey(), report));
			}
			if (!problems.isEmpty()) {
				throw new VerificationException("bundle " + digest + " does not run in a chroot", problems);
			}
			logger.info("Verified bundle {}: PG {} run in a chroot", digest, manifest.pgVersions());
			return new Report(digest, manifest, majors);
		}
		finally {
			FileTrees.delete(root);
		}
	}

	/**
	 * Removes what verifications killed part-way left under {@code parent} (their
	 * {@code pg-bundle-verify-<pid>-…} trees and logs, found by their JVM being gone),
	 * and first stops every process still running in such a tree: the killed JVM's
	 * {@code initdb} or its trust-authenticated test server, which nothing else would
	 * ever stop.
	 */
	static void removeInterruptedRuns(Path parent) throws IOException {
		for (Path left : JvmOwnedDirectories.removeThoseOfGoneJvms(parent, WORK_PREFIX,
				BundleVerifier::stopProcessesChrootedIn)) {
			logger.info("Removed {}, left by a verification that did not finish", left);
		}
	}

	private static void stopProcessesChrootedIn(Path tree) {
		if (!Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		Path absolute = tree.toAbsolutePath().normalize();
		List<ProcessHandle> inside = ProcessHandle.allProcesses()
			.filter((process) -> absolute.equals(rootOf(process.pid())))
			.toList();
		if (inside.isEmpty()) {
			return;
		}
		logger.warn("Stopping {} process(es) left running in {} by a verification that did not finish: {}",
				inside.size(), tree,
				inside.stream()
					.map((process) -> process.pid() + " " + process.info().command().orElse("?"))
					.collect(Collectors.joining(", ")));
		inside.forEach(ProcessHandle::destroyForcibly);
		for (ProcessHandle process : inside) {
			try {
				process.onExit().get(10, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				logger.warn("Process {} did not end within 10 s of SIGKILL", process.pid());
			}
		}
	}

	/** The root directory process {@code pid} sees, or null when it cannot be read. */
	private static Path rootOf(long pid) {
		try {
			return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root"));
		}
		catch (IOException | UnsupportedOperationException | SecurityException ex) {
			return null;
		}
	}

	private void prepareChroot(Path root) throws IOException {
		// a temporary directory is private to root; the bundle's programs run as another
		// user
		Files.setAttribute(root, "unix:mode", 0755);
		// mknod and chown follow links: what they work on must be real directories of the
		// bundle
		for (String dir : List.of("dev", "inout")) {
			if (!Files.isDirectory(root.resolve(dir), LinkOption.NOFOLLOW_LINKS)) {
				throw new VerificationException("cannot run the bundle in a chroot",
						List.of("/" + dir + " is not a directory of the bundle"));
			}
		}
		Path devNull = root.resolve("dev/null");
		Result mknod = run(List.of("mknod", "-m", "666", devNull.toString(), "c", "1", "3"));
		if (mknod.exit() != 0) {
			throw new IOException("cannot create " + devNull + ": " + mknod.output());
		}
		Result chown = run(List.of("chown", UID + ":" + UID, root.resolve("inout").toString()));
		if (chown.exit() != 0) {
			throw new IOException("cannot hand /inout to uid " + UID + ": " + chown.output());
		}
	}

	private Optional<MajorReport> runMajor(Path root, Path workParent, String major, PostgresEntry entry,
			List<String> problems) throws IOException {
		Result version = run(chroot(root, major, List.of("postgres", "--version")));
		if (version.exit() != 0) {
			problems.add(failure("PG " + major + ": postgres --version", version));
			return Optional.empty();
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
			return Optional.empty();
		}
		for (String line : badLines(initdb.output())) {
			problems.add("PG " + major + ": initdb printed: " + line);
		}
		Path pgVersion = root.resolve(data.substring(1)).resolve("PG_VERSION");
		if (!Files.isRegularFile(pgVersion) || !Files.readString(pgVersion).strip().equals(major)) {
			problems.add("PG " + major + ": initdb exited 0 but " + data + "/PG_VERSION does not say " + major);
			return Optional.empty();
		}
		return runServer(root, workParent, major, entry, data, problems)
			.map((server) -> new MajorReport(initdb.output(), server.version(), server.collations(), server.log()));
	}

	/**
	 * Starts the major's server in the chroot on a free loopback port (its socket
	 * directory is the chroot's {@code /tmp}), runs a query over TCP, stops it and checks
	 * its log.
	 */
	private Optional<ServerRun> runServer(Path root, Path workParent, String major, PostgresEntry entry, String data,
			List<String> problems) throws IOException {
		Path log = Files.createTempFile(workParent, JvmOwnedDirectories.ownPrefix(WORK_PREFIX) + major + "-", ".log");
		try {
			for (int attempt = 1;; attempt++) {
				Optional<ServerRun> run = runServerOnce(root, major, entry, data, log, problems,
						attempt < PORT_ATTEMPTS);
				if (run != null) {
					return run;
				}
			}
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	/**
	 * One start of the server on a port that was free a moment ago; {@code null} when
	 * another process took the port in between and {@code mayRetry} allows another port.
	 */
	private Optional<ServerRun> runServerOnce(Path root, String major, PostgresEntry entry, String data, Path log,
			List<String> problems, boolean mayRetry) throws IOException {
		int port = freePort();
		ProcessBuilder builder = new ProcessBuilder(chroot(root, major,
				List.of("postgres", "-D", data, "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c",
						"unix_socket_directories=/tmp")))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
		builder.environment().clear();
		builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
		Process server = builder.start();
		String version = null;
		List<String> collations = List.of();
		String failure = null;
		try {
			try (Connection connection = connect(server, log, port)) {
				try (Statement statement = connection.createStatement()) {
					try (ResultSet rs = statement.executeQuery("SELECT version()")) {
						rs.next();
						version = rs.getString(1);
					}
					try (ResultSet rs = statement
						.executeQuery("SELECT collname FROM pg_collation WHERE collprovider = 'c' ORDER BY collname")) {
						List<String> names = new ArrayList<>();
						while (rs.next()) {
							names.add(rs.getString(1));
						}
						collations = List.copyOf(names);
					}
				}
			}
			catch (SQLException ex) {
				failure = ex.getMessage();
			}
		}
		finally {
			stop(server);
		}
		String output = Files.readString(log, StandardCharsets.UTF_8);
		if (failure != null && mayRetry && output.contains("Address already in use")) {
			logger.info("PG {}: port {} was taken before the server bound it, trying another", major, port);
			return null;
		}
		if (failure != null) {
			problems.add("PG " + major + ": the server in the chroot did not answer a query (" + failure + "): "
					+ output.strip());
			return Optional.empty();
		}
		if (!version.startsWith("PostgreSQL " + entry.version() + " ")) {
			problems.add("PG " + major + ": the server answered version() with '" + version + "', "
					+ BundleManifest.PATH + " says " + entry.version());
		}
		for (String line : badLines(output)) {
			problems.add("PG " + major + ": the server logged: " + line);
		}
		if (server.exitValue() != 0) {
			problems.add("PG " + major + ": the server exited with " + server.exitValue() + " when stopped");
		}
		return Optional.of(new ServerRun(version, collations, output));
	}

	/**
	 * Connects once the server has logged that it accepts connections: an attempt before
	 * that would itself put a {@code FATAL: the database system is starting up} line into
	 * the log.
	 */
	private Connection connect(Process server, Path log, int port) throws SQLException, IOException {
		long deadline = System.nanoTime() + this.timeout.toNanos();
		while (!Files.readString(log, StandardCharsets.UTF_8).contains(READY)) {
			if (!server.isAlive()) {
				throw new SQLException(
						"the server exited with " + server.exitValue() + " before accepting connections");
			}
			if (System.nanoTime() > deadline) {
				throw new SQLException("the server did not accept connections within " + this.timeout);
			}
			try {
				server.waitFor(100, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new SQLException("interrupted while waiting for the server", ex);
			}
		}
		Properties properties = new Properties();
		properties.setProperty("user", "nobody");
		properties.setProperty("connectTimeout", "10");
		properties.setProperty("ApplicationName", "pgext bundle verify");
		return new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
	}

	private static void stop(Process server) throws IOException {
		// chroot and the LAUNCHER exec, so this is the postmaster: SIGTERM is a smart
		// shutdown,
		// immediate once the query's connection is closed
		server.destroy();
		try {
			if (!server.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				server.descendants().forEach(ProcessHandle::destroyForcibly);
				server.destroyForcibly().waitFor();
				throw new IOException("the server did not stop within " + STOP_TIMEOUT + " and was killed");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			server.descendants().forEach(ProcessHandle::destroyForcibly);
			server.destroyForcibly();
			throw new IOException("interrupted while stopping the server", ex);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static List<String> badLines(String output) {
		return output.lines().filter((line) -> BAD_LINE.matcher(line).find()).map(String::strip).toList();
	}

	private static List<String> chroot(Path root, String major, List<String> program) {
		List<String> command = new ArrayList<>(
				List.of("chroot", "--userspec=" + UID + ":" + UID, root.toString(), "/LAUNCHER", major));
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
		Path log = Files.createTempFile(JvmOwnedDirectories.ownPrefix(WORK_PREFIX), ".log");
		try {
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
			// the chroot gets nothing from this process' environment; the LAUNCHER sets
			// what it needs
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

	private record ServerRun(String version, List<String> collations, String log) {
	}

}
