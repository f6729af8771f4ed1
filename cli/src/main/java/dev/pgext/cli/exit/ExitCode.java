package dev.pgext.cli.exit;

/**
 * The exit codes of {@code pgext}, documented in {@code docs/cli.md}: a script can tell a
 * refusal by the registry (fix the release) from a local mistake (fix the command or the
 * tree) from a network failure (try again).
 */
public final class ExitCode {

	/** The command did what it was asked. */
	public static final int OK = 0;

	/** The registry answered with a problem: refused, not found, not allowed. */
	public static final int REFUSED = 1;

	/**
	 * Bad usage, or a local check failed (configuration, source tree, artifact,
	 * installation).
	 */
	public static final int LOCAL = 2;

	/**
	 * The registry could not be reached, or a download failed or did not match its
	 * sha256.
	 */
	public static final int NETWORK = 3;

	/**
	 * A defect in pgext itself (sysexits' {@code EX_SOFTWARE}); the stack trace is
	 * printed.
	 */
	public static final int INTERNAL = 70;

	private ExitCode() {
	}

}
