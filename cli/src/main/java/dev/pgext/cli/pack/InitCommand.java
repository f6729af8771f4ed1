package dev.pgext.cli.pack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.exit.Printable;
import dev.pgext.cli.registry.Environment;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.control.ControlFile;
import dev.pgext.model.control.ControlFileException;
import dev.pgext.model.control.ControlFileParser;

/**
 * Writes a starter PGXN {@code META.json} from the extension's control file (name,
 * {@code default_version} as the release version, comment as the abstract), for the
 * publisher to complete. An existing file is never overwritten.
 */
@Command(name = "init", description = "Write a starter META.json for the extension in a directory.")
public final class InitCommand implements Callable<Integer> {

	private final Environment environment;

	@Spec
	CommandSpec spec;

	@Option(names = { "-C", "--directory" }, paramLabel = "DIR", defaultValue = ".",
			description = "The extension's source directory (default: .).")
	Path directory;

	InitCommand(Environment environment) {
		this.environment = environment;
	}

	@Override
	public Integer call() throws IOException {
		Path dir = this.directory.toAbsolutePath().normalize();
		Path meta = dir.resolve("META.json");
		if (Files.exists(meta)) {
			throw CliException.local(meta + " exists; pgext init never overwrites it");
		}
		ControlFile control = control(dir);
		String name = (control != null) ? control.name() : dir.getFileName().toString();
		if (control == null) {
			String problem = ExtensionName.problem(name.toLowerCase(Locale.ROOT));
			if (problem != null) {
				throw CliException.local("no single control file in " + dir + ", and its name '" + Printable.of(name)
						+ "' is no extension name (" + problem + "): run pgext init where the extension's "
						+ "one .control file is");
			}
			this.spec.commandLine()
				.getOut()
				.println("note: no single control file in " + dir + "; the name is the directory's, " + name);
		}
		String extensionVersion = (control != null && control.defaultVersion() != null) ? control.defaultVersion()
				: "1.0";
		String version = Metadata.normalizedVersion(extensionVersion);
		if (version == null) {
			this.spec.commandLine()
				.getOut()
				.println("note: the extension's version " + Printable.of(extensionVersion)
						+ " is no release version; META.json says 1.0.0: edit it");
		}
		String summary = (control != null && control.comment() != null) ? control.comment()
				: "TODO: one line about " + name;
		String maintainer = (this.environment.get("USER") != null) ? this.environment.get("USER") : "TODO";
		ObjectNode json = RegistryClient.JSON.createObjectNode();
		json.put("name", name);
		json.put("abstract", summary);
		json.put("version", (version != null) ? version : "1.0.0");
		json.put("maintainer", maintainer);
		json.put("license", "postgresql");
		ObjectNode provided = json.putObject("provides").putObject(name);
		// the Meta Spec names the file of each extension it provides: its install script
		provided.put("file", providedFile(dir, name, extensionVersion));
		provided.put("abstract", summary);
		provided.put("version", extensionVersion);
		json.putArray("tags");
		json.putObject("meta-spec").put("version", "1.0.0").put("url", "https://pgxn.org/meta/spec.txt");
		Files.writeString(meta, RegistryClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n",
				StandardCharsets.UTF_8);
		this.spec.commandLine().getOut().println("wrote " + meta + ": check abstract, maintainer, license and tags");
		return ExitCode.OK;
	}

	/**
	 * The install script of {@code version} where it is ({@code sql/} or the top), else
	 * the control file.
	 */
	private static String providedFile(Path dir, String name, String version) {
		for (String candidate : List.of("sql/" + name + "--" + version + ".sql", name + "--" + version + ".sql")) {
			if (Files.isRegularFile(dir.resolve(candidate))) {
				return candidate;
			}
		}
		return name + ".control";
	}

	/**
	 * The one control file in the directory (or its {@code sql/}), if there is exactly
	 * one.
	 */
	private static ControlFile control(Path dir) throws IOException {
		List<Path> controls;
		try (Stream<Path> files = Files.list(dir)) {
			controls = files.filter((p) -> p.getFileName().toString().endsWith(".control"))
				.filter((p) -> !p.getFileName().toString().contains("--"))
				.toList();
		}
		if (controls.size() != 1) {
			return null;
		}
		try {
			return ControlFileParser.parse(controls.get(0).getFileName().toString(), Files.readString(controls.get(0)));
		}
		catch (ControlFileException ex) {
			throw CliException.local(ex.getMessage());
		}
	}

}
