package dev.pgext.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import dev.pgext.cli.account.LoginCommand;
import dev.pgext.cli.account.WhoamiCommand;
import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.find.InfoCommand;
import dev.pgext.cli.find.SearchCommand;
import dev.pgext.cli.install.InstallCommand;
import dev.pgext.cli.pack.InitCommand;
import dev.pgext.cli.pack.PackageCommand;
import dev.pgext.cli.publish.DeprecateCommand;
import dev.pgext.cli.publish.PublishCommand;
import dev.pgext.cli.publish.UnyankCommand;
import dev.pgext.cli.publish.YankCommand;
import dev.pgext.cli.registry.Environment;

/**
 * {@code pgext}: package, publish, find and install Postgres extensions with a pgext
 * registry. Every subcommand reads its environment ({@code PGEXT_CONFIG},
 * {@code PGEXT_REGISTRY}, {@code PGEXT_TOKEN}, {@code HOME}) through {@link Environment},
 * so tests run it in-process.
 */
@Command(name = "pgext", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
		versionProvider = PgextCli.Version.class,
		description = "Package, publish, find and install PostgreSQL extensions with a pgext registry.",
		subcommands = { LoginCommand.class, WhoamiCommand.class, InitCommand.class, PackageCommand.class,
				PublishCommand.class, YankCommand.class, UnyankCommand.class, DeprecateCommand.class,
				SearchCommand.class, InfoCommand.class, InstallCommand.class },
		exitCodeListHeading = "%nExit codes:%n",
		exitCodeList = { "0:done", "1:refused by the registry (its problem is shown)",
				"2:usage error or a local check failed", "3:registry unreachable, or a download failed its sha256",
				"70:internal error (a defect in pgext)" })
public final class PgextCli {

	public static void main(String[] args) {
		PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
		PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
		System.exit(run(Environment.system(), out, err, args));
	}

	/**
	 * Runs {@code args} and returns the exit code; everything is printed to {@code out}
	 * and {@code err}.
	 */
	public static int run(Environment environment, PrintWriter out, PrintWriter err, String... args) {
		CommandLine commandLine = new CommandLine(new PgextCli(), new EnvironmentFactory(environment));
		commandLine.setOut(out);
		commandLine.setErr(err);
		commandLine.setParameterExceptionHandler((ex, arguments) -> {
			err.println("error: " + usageError(ex));
			ex.getCommandLine().usage(err);
			return ExitCode.LOCAL;
		});
		commandLine.setExecutionExceptionHandler((ex, cmd, parsed) -> {
			if (ex instanceof CliException failure) {
				err.println("error: " + failure.getMessage());
				return failure.exitCode();
			}
			if (ex instanceof IOException || ex instanceof UncheckedIOException) {
				err.println("error: " + CliException
					.describe((ex instanceof UncheckedIOException unchecked) ? unchecked.getCause() : ex));
				return ExitCode.LOCAL;
			}
			err.println("error: internal error in pgext, please report it:");
			ex.printStackTrace(err);
			return ExitCode.INTERNAL;
		});
		try {
			return commandLine.execute(args);
		}
		finally {
			out.flush();
			err.flush();
		}
	}

	/** picocli's message for a usage error, without its own "Error: " prefix. */
	private static String usageError(CommandLine.ParameterException ex) {
		if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && ex.getCommandLine().getParent() == null
				&& !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
			return "unknown command '" + unmatched.getUnmatched().get(0) + "' (pgext --help lists them)";
		}
		String message = ex.getMessage();
		return message.startsWith("Error: ") ? message.substring("Error: ".length()) : message;
	}

	/** Gives every command and mixin the environment of this run. */
	private record EnvironmentFactory(Environment environment) implements CommandLine.IFactory {

		@Override
		public <K> K create(Class<K> type) throws Exception {
			if (type == Environment.class) {
				return type.cast(this.environment);
			}
			for (var constructor : type.getDeclaredConstructors()) {
				if (constructor.getParameterCount() == 1 && constructor.getParameterTypes()[0] == Environment.class) {
					constructor.setAccessible(true);
					return type.cast(constructor.newInstance(this.environment));
				}
			}
			return CommandLine.defaultFactory().create(type);
		}

	}

	/** The version of the jar, from its manifest. */
	static final class Version implements CommandLine.IVersionProvider {

		@Override
		public String[] getVersion() {
			String version = PgextCli.class.getPackage().getImplementationVersion();
			return new String[] { "pgext " + ((version != null) ? version : "(development build)") };
		}

	}

}
