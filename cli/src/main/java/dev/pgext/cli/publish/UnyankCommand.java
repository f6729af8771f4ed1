package dev.pgext.cli.publish;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.cli.registry.RegistryOptions;

/** Takes back a yank. */
@Command(name = "unyank", description = "Take back a yank.")
public final class UnyankCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Parameters(index = "0", paramLabel = "DISTRIBUTION")
	String distribution;

	@Parameters(index = "1", paramLabel = "VERSION")
	String version;

	@Override
	public Integer call() {
		this.registry.client()
			.delete("/api/v1/distributions/" + RegistryClient.encode(this.distribution) + "/versions/"
					+ RegistryClient.encode(this.version) + "/yank" + this.registry.tenantParameter('?'));
		this.spec.commandLine().getOut().println("un-yanked " + this.distribution + " " + this.version);
		return ExitCode.OK;
	}

}
