package dev.pgext.cli.publish;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.registry.RegistryOptions;

/** Takes back a yank. */
@Command(name = "unyank", description = "Take back a yank.")
public final class UnyankCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Mixin
	ReleaseArguments release;

	@Override
	public Integer call() {
		this.registry.client().delete(this.release.yankPath(this.registry));
		this.spec.commandLine().getOut().println("un-yanked " + this.release);
		return ExitCode.OK;
	}

}
