package dev.pgext.cli.find;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.exit.Printable;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.cli.registry.RegistryOptions;

/** One extension: its distribution, abstract, tags and every version with its majors. */
@Command(name = "info", description = "Show an extension and its versions.")
public final class InfoCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Parameters(index = "0", paramLabel = "NAME")
	String name;

	/** {@code "  YANKED: reason"} for a yanked release, else nothing. */
	private static String yanked(JsonNode version) {
		if (!version.hasNonNull("yanked_at")) {
			return "";
		}
		String reason = version.path("yank_reason").asString("");
		return "  YANKED" + (reason.isBlank() ? "" : ": " + Printable.of(reason));
	}

	@Override
	public Integer call() {
		if (this.name.isBlank()) {
			throw CliException.local("give the name of an extension, such as hstore");
		}
		JsonNode detail = this.registry.client()
			.get("/api/v1/extensions/" + RegistryClient.encode(this.name) + this.registry.tenantParameter('?'));
		JsonNode extension = detail.path("extension");
		PrintWriter out = this.spec.commandLine().getOut();
		out.println(Printable.of(extension.path("name").asString()) + " "
				+ Printable.of(extension.path("version").asString()) + " - "
				+ Printable.of(extension.path("abstract").asString("")));
		out.println("  distribution  " + Printable.of(extension.path("distribution").asString())
				+ (extension.path("tenant").isNull() ? ""
						: " (tenant " + Printable.of(extension.path("tenant").asString()) + ")"));
		List<String> tags = new ArrayList<>();
		extension.path("tags").forEach((tag) -> tags.add(Printable.of(tag.asString())));
		if (!tags.isEmpty()) {
			out.println("  tags          " + String.join(", ", tags));
		}
		JsonNode deprecation = detail.path("deprecation");
		if (deprecation.isObject()) {
			String reason = deprecation.path("reason").asString("");
			String successor = deprecation.path("successor").asString("");
			out.println("  DEPRECATED" + (reason.isBlank() ? "" : ": " + Printable.of(reason))
					+ (successor.isBlank() ? "" : " (use " + Printable.of(successor) + " instead)"));
		}
		out.println("  postgres      " + SearchCommand.majors(extension));
		out.println("  versions");
		for (JsonNode version : detail.path("versions")) {
			out.printf("    %-14s pg %-12s %s%s%n", Printable.of(version.path("version").asString()),
					SearchCommand.majors(version), Printable.of(version.path("published_at").asString()),
					yanked(version));
		}
		out.println("  install       pgext install " + Printable.of(extension.path("name").asString())
				+ " --pg-config PATH");
		return ExitCode.OK;
	}

}
