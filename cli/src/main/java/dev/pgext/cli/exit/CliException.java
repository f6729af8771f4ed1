package dev.pgext.cli.exit;

import dev.pgext.model.Failures;

/**
 * Why a command failed, in words for the person who ran it, and the {@link ExitCode} it
 * ends with. Commands throw it; {@link PgextCli} prints the message and exits with the
 * code.
 */
public class CliException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final int exitCode;

	public CliException(int exitCode, String message) {
		this(exitCode, message, null);
	}

	public CliException(int exitCode, String message, Throwable cause) {
		super(message, cause);
		this.exitCode = exitCode;
	}

	/** A local mistake: usage, configuration, the tree, a local check. */
	public static CliException local(String message) {
		return new CliException(ExitCode.LOCAL, message);
	}

	/**
	 * A failure's message for a person (the JDK's file system exceptions often carry only
	 * the path): {@link Failures#describe(Throwable)}.
	 */
	public static String describe(Throwable failure) {
		return Failures.describe(failure);
	}

	public int exitCode() {
		return this.exitCode;
	}

}
