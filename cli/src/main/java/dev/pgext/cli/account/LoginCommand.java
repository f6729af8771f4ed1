package dev.pgext.cli.account;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.registry.Credentials;
import dev.pgext.cli.registry.RegistryClient;
import dev.pgext.cli.registry.RegistryOptions;

/**
 * Stores a token for a registry after the registry has accepted it
 * ({@code GET /api/v1/me}), so a mistyped or revoked token is never saved.
 */
@Command(name = "login", description = "Store a token for a registry (verified with the registry first).")
public final class LoginCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Mixin
	RegistryOptions registry;

	@Option(names = "--token-stdin", description = "Read the token from standard input instead of a prompt.")
	boolean tokenStdin;

	@Override
	public Integer call() {
		String url = this.registry.registryUrl();
		String token = readToken();
		if (token.isEmpty()) {
			throw CliException.local("no token given");
		}
		JsonNode me = new RegistryClient(url, token).get("/api/v1/me");
		String user = me.path("user").asString();
		Path file = this.registry.environment().credentialsFile();
		Credentials.read(file).with(url, new Credentials.Login(token, user)).write(file);
		this.spec.commandLine().getOut().println("Logged in to " + url + " as " + WhoamiCommand.describe(me));
		this.spec.commandLine().getOut().println("Token stored in " + file + " (mode 0600)");
		return ExitCode.OK;
	}

	private String readToken() {
		Console console = System.console();
		if (!this.tokenStdin && console != null) {
			char[] typed = console.readPassword("Token for %s: ", this.registry.registryUrl());
			return (typed != null) ? new String(typed).strip() : "";
		}
		try {
			BufferedReader reader = new BufferedReader(
					new InputStreamReader(this.registry.environment().stdin(), StandardCharsets.UTF_8));
			String line = reader.readLine();
			return (line != null) ? line.strip() : "";
		}
		catch (IOException ex) {
			throw CliException.local("cannot read the token from standard input: " + CliException.describe(ex));
		}
	}

}
