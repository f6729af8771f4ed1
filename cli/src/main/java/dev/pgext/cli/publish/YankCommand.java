package dev.pgext.cli.publish;

import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

	@Mixin
	ReleaseArguments release;

	@Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded and shown).")
	String reason;

	@Override
	public Integer call() {
		RegistryClient client = this.registry.client();
		client.postJson(this.release.yankPath(this.registry), Map.of("reason", this.reason));
		this.spec.commandLine().getOut().println("yanked " + this.release);
		return ExitCode.OK;
	}

}
