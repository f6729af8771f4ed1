package dev.pgext.loader;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.pgext.testsupport.ChildJvm;
import dev.pgext.testsupport.FreePorts;

/**
 * A whole loader ({@link LoaderApplication}) in a child JVM, so that a test can kill it
 * with SIGKILL (no shutdown hook, no finally block runs) and start another on the same
 * directories.
 */
public final class ChildLoader implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Process process;

	private final LoaderClient client;

	private ChildLoader(Process process, int port) {
		this.process = process;
		this.client = new LoaderClient(port, Duration.ofSeconds(10));
	}

	/**
	 * Starts a loader with {@code properties} ({@code name=value}), logging to
	 * {@code log}.
	 */
	public static ChildLoader start(List<String> properties, Path log) {
		int port = FreePorts.any();
		List<String> command = new ArrayList<>(ChildJvm.command("-Xmx256m"));
		runtimeClassPath().ifPresent((classPath) -> command.set(command.indexOf("-cp") + 1, classPath));
		command.addAll(List.of(LoaderApplication.class.getName(), "--server.port=" + port));
		properties.forEach((property) -> command.add("--" + property));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
			return new ChildLoader(process, port);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The class path the loader runs on in production: its classes and the runtime
	 * dependencies the build lists in {@code target/runtime-classpath.txt}, without the
	 * test jars, whose classes and auto-configuration candidates a start would look
	 * through; empty where the build did not write the list (a run from an IDE), and the
	 * child takes this JVM's class path.
	 */
	static Optional<String> runtimeClassPath() {
		Path list = Path.of("target", "runtime-classpath.txt");
		Path classes = Path.of("target", "classes");
		if (!Files.isRegularFile(list) || !Files.isDirectory(classes)) {
			return Optional.empty();
		}
		try {
			String dependencies = Files.readString(list).strip();
			return Optional
				.of(classes.toAbsolutePath() + (dependencies.isEmpty() ? "" : File.pathSeparator + dependencies));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** {@code GET /status}, or a missing node while the loader does not answer yet. */
	public JsonNode status() {
		try {
			return this.client.status();
		}
		catch (RuntimeException ex) {
			return JSON.missingNode();
		}
	}

	public HttpResponse<String> get(String path) {
		return this.client.get(path);
	}

	public String phase() {
		return status().path("phase").asString("");
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Waits up to {@code timeout} for the loader to exit by itself.
	 * @return its exit status, or empty when it is still running
	 */
	public java.util.OptionalInt awaitExit(Duration timeout) throws InterruptedException {
		return this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
				? java.util.OptionalInt.of(this.process.exitValue()) : java.util.OptionalInt.empty();
	}

	/** SIGKILL, as an OOM killer or a node failure would. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

	/** SIGTERM, as a pod stop would; waits for the loader to exit. */
	public int stop() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(90, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
		return this.process.exitValue();
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			kill();
		}
	}

	/**
	 * Pids of the live postmasters of {@code dataDir}: the processes whose command line
	 * names it, but for those whose parent is one of them. A child a postmaster has just
	 * forked (a backend, the autovacuum launcher) shows the postmaster's command line
	 * until it sets its own title, a window a loaded machine widens.
	 */
	public static List<Long> postgresProcessesOf(Path dataDir) {
		String needle = dataDir.toAbsolutePath().toString();
		Map<Long, Long> parents = new HashMap<>();
		try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
			for (Path proc : procs.filter((p) -> p.getFileName().toString().matches("\\d+")).toList()) {
				try {
					String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
						.replace('\0', ' ');
					if (cmdline.contains("postgres") && cmdline.contains(needle)) {
						String stat = Files.readString(proc.resolve("stat"));
						// "pid (comm) state ppid ...", comm may hold spaces
						long parent = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
						parents.put(Long.parseLong(proc.getFileName().toString()), parent);
					}
				}
				catch (IOException ex) {
					// the process ended meanwhile
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return parents.keySet().stream().filter((pid) -> !parents.containsKey(parents.get(pid))).sorted().toList();
	}

}
