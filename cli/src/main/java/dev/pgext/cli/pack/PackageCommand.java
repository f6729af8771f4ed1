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
import java.util.stream.Stream;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
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

	@Override
	public Integer call() throws IOException {
		PrintWriter out = this.spec.commandLine().getOut();
		Path dir = this.directory.toAbsolutePath().normalize();
		Metadata metadata = Metadata.read(dir.resolve("META.json"));
		Platform target = (this.platform != null) ? Platform.parse(this.platform) : Platform.host();
		Path dist = (this.output != null) ? this.output.toAbsolutePath().normalize() : dir.resolve("dist");
		List<Path> staging = new ArrayList<>();
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
			removeOldArtifacts(dist);
			for (Map.Entry<PgMajor, InstallTree> tree : trees.entrySet()) {
				Path artifact = dist.resolve("pg" + tree.getKey().value() + ".tar.gz");
				ArtifactWriter.write(tree.getValue(), artifact);
				out.println("wrote " + artifact + " (" + Files.size(artifact) + " bytes)");
			}
			Files.copy(dir.resolve("META.json"), dist.resolve("META.json"), StandardCopyOption.REPLACE_EXISTING);
			out.println("ready: pgext publish --dist " + dist);
			return ExitCode.OK;
		}
		finally {
			for (Path stage : staging) {
				FileTrees.delete(stage);
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
			throw CliException.local("cannot run " + command.get(0) + ": " + ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw CliException.local("interrupted while running " + String.join(" ", command));
		}
	}

	private static void removeOldArtifacts(Path dist) throws IOException {
		if (!Files.isDirectory(dist)) {
			return;
		}
		try (Stream<Path> files = Files.list(dist)) {
			for (Path old : files.filter((p) -> p.getFileName().toString().matches("pg\\d+\\.tar\\.gz")).toList()) {
				Files.delete(old);
			}
		}
	}

}
