package dev.pgext.cli.publish;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.exit.Printable;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.cli.registry.RegistryOptions;

/**
 * Uploads {@code META.json} and every {@code pg<major>.tar.gz} of a {@code pgext package}
 * output directory as one release ({@code POST /api/v1/releases}), with a progress bar.
 */
@Command(name = "publish", description = "Upload the artifacts of pgext package as one release.")
public final class PublishCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Option(names = "--dist", paramLabel = "DIR", defaultValue = "dist",
			description = "The output directory of pgext package (default: dist).")
	Path dist;

	@Override
	public Integer call() throws IOException {
		Path metadata = this.dist.resolve("META.json");
		if (!Files.isRegularFile(metadata)) {
			throw CliException.local("no " + metadata + ": run pgext package first");
		}
		List<Path> artifacts;
		try (Stream<Path> files = Files.list(this.dist)) {
			artifacts = files.filter((p) -> p.getFileName().toString().matches("pg\\d+\\.tar\\.gz")).sorted().toList();
		}
		if (artifacts.isEmpty()) {
			throw CliException.local("no pg<major>.tar.gz in " + this.dist + ": run pgext package first");
		}
		RegistryClient client = this.registry.client();
		if (!client.hasToken()) {
			throw CliException.local("publishing needs a token: run pgext login or set PGEXT_TOKEN");
		}
		Multipart body = new Multipart().file("metadata", metadata, "application/json");
		for (Path artifact : artifacts) {
			String name = artifact.getFileName().toString();
			body.file(name.substring(0, name.indexOf('.')), artifact, "application/gzip");
		}
		PrintWriter out = this.spec.commandLine().getOut();
		ProgressBar progress = new ProgressBar(this.spec.commandLine().getErr(), body.length(),
				System.console() != null);
		JsonNode release;
		try {
			release = client.post("/api/v1/releases" + this.registry.tenantParameter('?'), body.contentType(),
					body.length(), () -> body.open(progress));
		}
		finally {
			progress.end();
		}
		out.println("published " + Printable.of(release.path("distribution").asString()) + " "
				+ Printable.of(release.path("version").asString())
				+ (release.path("tenant").isNull() ? ""
						: " (tenant " + Printable.of(release.path("tenant").asString()) + ")")
				+ " to " + client.baseUrl());
		if (release.hasNonNull("normalized_from")) {
			out.println("  version normalised from " + Printable.of(release.path("normalized_from").asString()));
		}
		for (JsonNode extension : release.path("extensions")) {
			out.println(
					"  pg" + extension.path("pg_major").asInt() + "  " + Printable.of(extension.path("name").asString())
							+ " " + Printable.of(extension.path("default_version").asString()) + "  ("
							+ extension.path("files").size() + " files)");
		}
		return ExitCode.OK;
	}

}
