package dev.pgext.cli.publish;

import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.cli.registry.RegistryOptions;

/** Yanks a release: computes stop getting it, it stays readable by its exact version. */
@Command(name = "yank", description = "Withdraw a release from compute manifests and search (it stays downloadable).")
public final class YankCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Parameters(index = "0", paramLabel = "DISTRIBUTION")
	String distribution;

	@Parameters(index = "1", paramLabel = "VERSION")
	String version;

	@Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded and shown).")
	String reason;

	@Override
	public Integer call() {
		RegistryClient client = this.registry.client();
		client.postJson(
				"/api/v1/distributions/" + RegistryClient.encode(this.distribution) + "/versions/"
						+ RegistryClient.encode(this.version) + "/yank" + this.registry.tenantParameter('?'),
				Map.of("reason", this.reason));
		this.spec.commandLine().getOut().println("yanked " + this.distribution + " " + this.version);
		return ExitCode.OK;
	}

}
