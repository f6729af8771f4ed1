package dev.pgext.bundle.verify;

import java.util.List;

/**
 * A bundle failed verification; {@link #problems()} names each missing or wrong file or
 * failed program.
 */
public class VerificationException extends RuntimeException {

	private final List<String> problems;

	public VerificationException(String summary, List<String> problems) {
		super(summary + ":\n  " + String.join("\n  ", problems));
		this.problems = List.copyOf(problems);
	}

	public List<String> problems() {
		return this.problems;
	}

}
