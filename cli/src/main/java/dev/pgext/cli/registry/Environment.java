package dev.pgext.cli.registry;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a run of {@code pgext} reads from its surroundings: environment variables and
 * standard input. Tests give a run its own.
 *
 * @param variables the environment variables
 * @param stdin standard input (a token for {@code pgext login --token-stdin})
 */
public record Environment(Map<String, String> variables, InputStream stdin) {

	public Environment {
		variables = Map.copyOf(variables);
	}

	/** The environment of this process. */
	public static Environment system() {
		return new Environment(System.getenv(), System.in);
	}

	/** A variable, or {@code null} when it is unset or empty. */
	public String get(String name) {
		String value = this.variables.get(name);
		return (value == null || value.isBlank()) ? null : value;
	}

	/**
	 * The credentials file: {@code $PGEXT_CONFIG}, else
	 * {@code $XDG_CONFIG_HOME/pgext/credentials}, else
	 * {@code ~/.config/pgext/credentials}.
	 */
	public Path credentialsFile() {
		String explicit = get("PGEXT_CONFIG");
		if (explicit != null) {
			return Path.of(explicit);
		}
		String xdg = get("XDG_CONFIG_HOME");
		if (xdg != null) {
			return Path.of(xdg, "pgext", "credentials");
		}
		String home = (get("HOME") != null) ? get("HOME") : System.getProperty("user.home");
		return Path.of(home, ".config", "pgext", "credentials");
	}

}
