package dev.pgext.cli.pack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.exit.Printable;
import dev.pgext.model.PgMajor;
import dev.pgext.model.place.FileTrees;

/**
 * Builds an extension with its PGXS Makefile for each {@code --pg-config}
 * ({@code make clean}, {@code make}, {@code make install DESTDIR=<staging>}), or takes a
 * ready install tree, runs the local checks on every major and, only when all pass,
 * writes {@code pg<major>.tar.gz} and a copy of {@code META.json} into the output
 * directory, ready for {@code pgext publish}.
 */
@Command(name = "package", description = "Build with PGXS per pg_config (or take an install tree), check, and write "
		+ "pg<major>.tar.gz artifacts.")
public final class PackageCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = { "-C", "--directory" }, paramLabel = "DIR", defaultValue = ".",
			description = "The extension's source directory, with META.json and a PGXS Makefile (default: .).")
	Path directory;

	@ArgGroup(exclusive = true, multiplicity = "1")
	Source source;

	static final class Source {

		@Option(names = "--pg-config", paramLabel = "PATH", required = true,
				description = "Build against this pg_config; repeat for several Postgres majors.")
		List<Path> pgConfigs;

		@ArgGroup(exclusive = false)
		Tree tree;

	}

	static final class Tree {

		@Option(names = "--from-tree", paramLabel = "DIR", required = true,
				description = "Pack a ready install tree (share/..., lib/...) instead of building.")
		Path root;

		@Option(names = "--pg-major", paramLabel = "N", required = true, description = "The major the tree is for.")
		int major;

	}

	@Option(names = "--platform", paramLabel = "P",
			description = "Platform the libraries must be built for: linux-x86_64 or linux-aarch64 (default: this machine's).")
	String platform;

	@Option(names = { "-o", "--output" }, paramLabel = "DIR",
			description = "Where the artifacts go (default: <directory>/dist).")
	Path output;

	@Option(names = "--make", paramLabel = "PATH", defaultValue = "make",
			description = "The make program (default: make).")
	String make;

	/**
	 * The directory a run writes its artifacts in, inside {@code dist}, until the end.
	 */
	private static final String NEXT_PREFIX = ".pgext-package-";

	@Override
	public Integer call() throws IOException {
		PrintWriter out = this.spec.commandLine().getOut();
		Path dir = this.directory.toAbsolutePath().normalize();
		Metadata metadata = Metadata.read(dir.resolve("META.json"));
		Platform target = (this.platform != null) ? Platform.parse(this.platform) : Platform.host();
		Path dist = (this.output != null) ? this.output.toAbsolutePath().normalize() : dir.resolve("dist");
		List<Path> staging = new CopyOnWriteArrayList<>();
		// an interrupt (Ctrl-C) ends the JVM without the finally below: the hook removes
		// the
		// build's temporary directories then
		Thread cleanup = new Thread(() -> deleteQuietly(staging), "pgext-package-cleanup");
		Runtime.getRuntime().addShutdownHook(cleanup);
		try {
			Map<PgMajor, InstallTree> trees = new LinkedHashMap<>();
			if (this.source.tree != null) {
				trees.put(major(this.source.tree.major), InstallTree.of(this.source.tree.root.toAbsolutePath()));
			}
			else {
				for (Path pgConfig : this.source.pgConfigs) {
					PgConfig config = PgConfig.of(pgConfig.toAbsolutePath());
					if (trees.containsKey(config.major())) {
						throw CliException.local("two pg_config for PostgreSQL " + config.major().value());
					}
					Path stage = Files.createTempDirectory("pgext-package-");
					staging.add(stage);
					build(dir, config, stage);
					trees.put(config.major(), InstallTree.ofStaging(stage, config));
				}
			}
			boolean failed = report(out, "META.json", LocalChecks.metadata(metadata));
			for (Map.Entry<PgMajor, InstallTree> tree : trees.entrySet()) {
				String label = "pg" + tree.getKey().value();
				List<LocalChecks.Check> checks = LocalChecks.artifact(metadata, tree.getKey(), tree.getValue(), target);
				failed |= report(out, label, checks);
				tree.getValue().skipped().forEach((note) -> out.println("  skip  " + note));
			}
			if (failed) {
				throw CliException.local("local checks failed; nothing was written to " + dist);
			}
			Files.createDirectories(dist);
			removeInterruptedRuns(dist);
			// the new set is written beside the old one and moved in at the end: an
			// interrupted run leaves the previous artifacts whole
			Path next = Files.createTempDirectory(dist, NEXT_PREFIX);
			staging.add(next);
			List<Path> written = new ArrayList<>();
			for (Map.Entry<PgMajor, InstallTree> tree : trees.entrySet()) {
				Path artifact = next.resolve("pg" + tree.getKey().value() + ".tar.gz");
				ArtifactWriter.write(tree.getValue(), artifact);
				written.add(artifact);
			}
			Files.copy(dir.resolve("META.json"), next.resolve("META.json"));
			replaceArtifacts(dist, written, next.resolve("META.json"));
			for (Map.Entry<PgMajor, InstallTree> tree : trees.entrySet()) {
				Path placed = dist.resolve("pg" + tree.getKey().value() + ".tar.gz");
				out.println("wrote " + placed + " (" + Files.size(placed) + " bytes), holding:");
				// every file, so that one the build took from elsewhere (a link make
				// install
				// followed) is seen before it is published
				for (Map.Entry<String, Path> file : tree.getValue().files().entrySet()) {
					out.println("  " + Printable.of(file.getKey()) + " (" + Files.size(file.getValue()) + " bytes)");
				}
			}
			out.println("ready: pgext publish --dist " + dist);
			return ExitCode.OK;
		}
		finally {
			deleteQuietly(staging);
			try {
				Runtime.getRuntime().removeShutdownHook(cleanup);
			}
			catch (IllegalStateException ex) {
				// the JVM is shutting down: the hook runs
			}
		}
	}

	private static void deleteQuietly(List<Path> trees) {
		for (Path tree : trees) {
			try {
				FileTrees.delete(tree);
			}
			catch (IOException ex) {
				// a temporary directory left behind; the next run in dist removes its own
			}
		}
	}

	private static PgMajor major(int value) {
		try {
			return PgMajor.of(value);
		}
		catch (RuntimeException ex) {
			throw CliException.local("--pg-major: " + ex.getMessage());
		}
	}

	private static boolean report(PrintWriter out, String label, List<LocalChecks.Check> checks) {
		out.println("checks " + label + ":");
		checks.forEach(out::println);
		return LocalChecks.failed(checks);
	}

	/**
	 * {@code make clean}, {@code make} and {@code make install DESTDIR=stage} with
	 * {@code PG_CONFIG}; JIT bitcode is not built ({@code with_llvm=no}): it needs clang
	 * and is not published.
	 */
	private void build(Path dir, PgConfig config, Path stage) {
		if (!Files.isRegularFile(dir.resolve("Makefile"))) {
			throw CliException.local(dir + " has no Makefile; give --from-tree DIR for a ready install tree");
		}
		String pgConfig = "PG_CONFIG=" + config.path();
		make(dir, List.of(this.make, "clean", pgConfig, "with_llvm=no"));
		make(dir, List.of(this.make, pgConfig, "with_llvm=no"));
		make(dir, List.of(this.make, "install", pgConfig, "with_llvm=no", "DESTDIR=" + stage));
	}

	private void make(Path dir, List<String> command) {
		PrintWriter err = this.spec.commandLine().getErr();
		err.println("$ " + String.join(" ", command));
		try {
			Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
			process.getOutputStream().close();
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				lines.lines().forEach((line) -> err.println("  " + line));
			}
			int status = process.waitFor();
			if (status != 0) {
				throw CliException.local(String.join(" ", command) + " failed with exit code " + status);
			}
		}
		catch (IOException ex) {
			throw CliException.local("cannot run " + command.get(0) + ": " + CliException.describe(ex));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw CliException.local("interrupted while running " + String.join(" ", command));
		}
	}

	/**
	 * Moves the new artifacts and META.json into {@code dist}, each replacing its old
	 * copy in one rename, then removes the artifacts of majors this run did not build.
	 */
	private static void replaceArtifacts(Path dist, List<Path> artifacts, Path metadata) throws IOException {
		List<String> names = new ArrayList<>();
		for (Path artifact : artifacts) {
			names.add(artifact.getFileName().toString());
			Files.move(artifact, dist.resolve(artifact.getFileName()), StandardCopyOption.ATOMIC_MOVE,
					StandardCopyOption.REPLACE_EXISTING);
		}
		Files.move(metadata, dist.resolve("META.json"), StandardCopyOption.ATOMIC_MOVE,
				StandardCopyOption.REPLACE_EXISTING);
		try (Stream<Path> files = Files.list(dist)) {
			for (Path old : files.filter((p) -> p.getFileName().toString().matches("pg\\d+\\.tar\\.gz"))
				.filter((p) -> !names.contains(p.getFileName().toString()))
				.toList()) {
				Files.delete(old);
			}
		}
	}

	/** What a run killed before its end left in {@code dist}. */
	private static void removeInterruptedRuns(Path dist) throws IOException {
		try (Stream<Path> files = Files.list(dist)) {
			for (Path left : files.filter((p) -> p.getFileName().toString().startsWith(NEXT_PREFIX)).toList()) {
				FileTrees.delete(left);
			}
		}
	}

}
