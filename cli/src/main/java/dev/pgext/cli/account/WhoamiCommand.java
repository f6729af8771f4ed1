package dev.pgext.cli.account;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.cli.registry.RegistryOptions;

/** Shows the user, tenant and scopes of the token the other commands would send. */
@Command(name = "whoami", description = "Show whom the registry takes the stored token for.")
public final class WhoamiCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Override
	public Integer call() {
		RegistryClient client = this.registry.client();
		if (!client.hasToken()) {
			throw CliException.local("not logged in to " + client.baseUrl() + ": run pgext login or set PGEXT_TOKEN");
		}
		JsonNode me = client.get("/api/v1/me");
		this.spec.commandLine().getOut().println(describe(me) + " at " + client.baseUrl());
		return ExitCode.OK;
	}

	/**
	 * {@code admin (scopes admin, publish)} or
	 * {@code acme-ci (tenant acme; scopes publish)}.
	 */
	static String describe(JsonNode me) {
		List<String> scopes = new ArrayList<>();
		me.path("scopes").forEach((scope) -> scopes.add(scope.asString()));
		String tenant = me.path("tenant").isNull() || me.path("tenant").isMissingNode() ? null
				: me.path("tenant").asString();
		return me.path("user").asString() + " (" + ((tenant != null) ? "tenant " + tenant + "; " : "") + "scopes "
				+ String.join(", ", scopes) + ")";
	}

}
