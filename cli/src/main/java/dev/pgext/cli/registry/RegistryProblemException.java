package dev.pgext.cli.registry;

import dev.pgext.cli.exit.CliException;
import dev.pgext.cli.exit.ExitCode;
import dev.pgext.cli.exit.Printable;

/**
 * The registry answered with an RFC 9457 problem (or another error status), shown as its
 * title, its detail and its type, so a person reads what is wrong and a script can match
 * the type.
 */
public class RegistryProblemException extends CliException {

	private static final long serialVersionUID = 1L;

	private final int status;

	private final String type;

	RegistryProblemException(int status, String type, String title, String detail) {
		super((status == 502 || status == 503 || status == 504) ? ExitCode.NETWORK : ExitCode.REFUSED,
				message(status, type, title, detail));
		this.status = status;
		this.type = type;
	}

	private static String message(int status, String type, String title, String detail) {
		StringBuilder text = new StringBuilder();
		text.append("the registry refused: ");
		text.append((title != null) ? Printable.of(title) + " (HTTP " + status + ")" : "HTTP " + status);
		if (detail != null && !detail.isBlank()) {
			text.append(System.lineSeparator()).append("  ").append(Printable.of(detail));
		}
		if (type != null) {
			text.append(System.lineSeparator()).append("  type: ").append(Printable.of(type));
		}
		return text.toString();
	}

	public int status() {
		return this.status;
	}

	/**
	 * The problem's {@code type} URI, or {@code null} when the answer was not a problem.
	 */
	public String type() {
		return this.type;
	}

}
