package dev.pgext.cli.registry;

import java.net.URI;

import picocli.CommandLine.Option;

import dev.pgext.cli.exit.CliException;

/**
 * The options every command that talks to a registry shares. The registry is
 * {@code --registry}, else {@code $PGEXT_REGISTRY}, else the one of the last
 * {@code pgext login}; the token is {@code $PGEXT_TOKEN}, else the one stored for that
 * registry (never an option, so it does not show in the process list or the shell
 * history).
 */
public class RegistryOptions {

	private final Environment environment;

	@Option(names = "--registry", paramLabel = "URL", description = "The registry, such as http://127.0.0.1:8080.")
	String registry;

	@Option(names = "--tenant", paramLabel = "TENANT",
			description = "A tenant's private scope (its token is needed to read or write it).")
	String tenant;

	public RegistryOptions(Environment environment) {
		this.environment = environment;
	}

	public Environment environment() {
		return this.environment;
	}

	/** The tenant asked for, or {@code null} for the public scope. */
	public String tenant() {
		return this.tenant;
	}

	/** The registry URL, without a trailing slash. */
	public String registryUrl() {
		String url = this.registry;
		if (url == null) {
			url = this.environment.get("PGEXT_REGISTRY");
		}
		if (url == null) {
			url = Credentials.read(this.environment.credentialsFile()).defaultRegistry();
		}
		if (url == null) {
			throw CliException.local("no registry: pass --registry URL, set PGEXT_REGISTRY, or run pgext login");
		}
		return normalize(url);
	}

	/**
	 * {@code url} checked and without a trailing slash, as it is stored in the
	 * credentials file.
	 */
	public static String normalize(String url) {
		URI uri;
		try {
			uri = URI.create(url.strip());
		}
		catch (IllegalArgumentException ex) {
			throw CliException.local("not a URL: " + url);
		}
		if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
			throw CliException.local("the registry must be an http:// or https:// URL, got " + url);
		}
		if (uri.getPort() > 65535) {
			throw CliException.local("the registry's port must be 1 to 65535, got " + uri.getPort());
		}
		if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
			throw CliException.local("the registry URL cannot have a query (?) or a fragment (#), got " + url);
		}
		String text = uri.toString();
		return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
	}

	/**
	 * A client with the token from the environment or the credentials file, if there is
	 * one.
	 */
	public RegistryClient client() {
		String url = registryUrl();
		String token = this.environment.get("PGEXT_TOKEN");
		if (token == null) {
			token = Credentials.read(this.environment.credentialsFile())
				.loginFor(url)
				.map(Credentials.Login::token)
				.orElse(null);
		}
		return new RegistryClient(url, token);
	}

	/**
	 * {@code ?tenant=...} or {@code &tenant=...} when a tenant is asked for, else
	 * nothing.
	 */
	public String tenantParameter(char separator) {
		return (this.tenant != null) ? separator + "tenant=" + RegistryClient.encode(this.tenant) : "";
	}

}
