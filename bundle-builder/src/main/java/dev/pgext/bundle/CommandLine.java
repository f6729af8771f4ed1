package dev.pgext.bundle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of one command: {@code --name value} or {@code --name=value} options
 * (each allowed once) and positional arguments.
 *
 * @param command the command name
 * @param options the options by name, without the dashes
 * @param positional the other arguments, in order
 */
record CommandLine(String command, Map<String, String> options, List<String> positional) {

	/** Parses {@code args}; only {@code allowed} option names are accepted. */
	static CommandLine parse(String[] args, Set<String> allowed) {
		if (args.length == 0) {
			throw new UsageException("no command given");
		}
		Map<String, String> options = new HashMap<>();
		List<String> positional = new ArrayList<>();
		for (int i = 1; i < args.length; i++) {
			String arg = args[i];
			if (!arg.startsWith("--")) {
				positional.add(arg);
				continue;
			}
			String name = arg.substring(2);
			String value;
			int eq = name.indexOf('=');
			if (eq >= 0) {
				value = name.substring(eq + 1);
				name = name.substring(0, eq);
			}
			else if (i + 1 < args.length) {
				value = args[++i];
			}
			else {
				throw new UsageException("option --" + name + " needs a value");
			}
			if (!allowed.contains(name)) {
				throw new UsageException("unknown option --" + name + " for " + args[0]);
			}
			if (options.put(name, value) != null) {
				throw new UsageException("option --" + name + " given twice");
			}
		}
		return new CommandLine(args[0], options, positional);
	}

	String option(String name) {
		return this.options.get(name);
	}

	String required(String name) {
		String value = this.options.get(name);
		if (value == null || value.isBlank()) {
			throw new UsageException(this.command + " needs --" + name);
		}
		return value;
	}

	String single(String what) {
		if (this.positional.size() != 1) {
			throw new UsageException(this.command + " takes exactly one " + what);
		}
		return this.positional.get(0);
	}

	/**
	 * The command line is wrong; the usage text follows the message.
	 */
	static class UsageException extends RuntimeException {

		UsageException(String message) {
			super(message);
		}

	}

}
