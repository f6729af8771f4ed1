package dev.pgext.cli.publish;

import java.util.LinkedHashMap;
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

/**
 * Marks a distribution deprecated, optionally naming its successor; {@code --undo}
 * withdraws it.
 */
@Command(name = "deprecate", description = "Mark a distribution deprecated (or withdraw that with --undo).")
public final class DeprecateCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Parameters(index = "0", paramLabel = "DISTRIBUTION")
	String distribution;

	@Option(names = "--successor", paramLabel = "NAME", description = "The distribution to use instead.")
	String successor;

	@Option(names = "--reason", paramLabel = "TEXT", description = "Why.")
	String reason;

	@Option(names = "--undo", description = "Withdraw the deprecation.")
	boolean undo;

	@Override
	public Integer call() {
		String path = "/api/v1/distributions/" + RegistryClient.encode(this.distribution) + "/deprecation"
				+ this.registry.tenantParameter('?');
		RegistryClient client = this.registry.client();
		if (this.undo) {
			client.delete(path);
			this.spec.commandLine().getOut().println(this.distribution + " is no longer deprecated");
			return ExitCode.OK;
		}
		Map<String, String> body = new LinkedHashMap<>();
		if (this.successor != null) {
			body.put("successor", this.successor);
		}
		if (this.reason != null) {
			body.put("reason", this.reason);
		}
		client.postJson(path, body);
		this.spec.commandLine()
			.getOut()
			.println("deprecated " + this.distribution
					+ ((this.successor != null) ? " in favour of " + this.successor : ""));
		return ExitCode.OK;
	}

}
