package dev.pgext.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for the outside programs the tests prove the services with (Chromium and
 * chromedriver, Debian's pgxnclient and AWS CLI, Redocly, promtool, PostgreSQL server
 * headers): where one is missing, the test that needs it is skipped with the reason,
 * except under CI, where {@code .ci/run} installs every one of them and a missing one
 * fails the test instead of letting the build pass without the proof.
 */
public final class OutsideTools {

	private OutsideTools() {
	}

	/**
	 * Whether the build runs under CI: the {@code CI} environment variable is set (CI
	 * runners set it to {@code true}) and not {@code false}.
	 * @return true under CI
	 */
	public static boolean underCi() {
		return underCi(System.getenv("CI"));
	}

	static boolean underCi(String ci) {
		return ci != null && !ci.isBlank() && !"false".equalsIgnoreCase(ci.strip());
	}

	/**
	 * Fails the calling test under CI with {@code reason}; returns otherwise.
	 * @param reason what is missing and how to install it
	 */
	public static void failUnderCi(String reason) {
		if (underCi()) {
			Assertions.fail(reason + " (required under CI)");
		}
	}

	/**
	 * Returns when the tool is {@code present}; otherwise fails the calling test under CI
	 * and skips it elsewhere, with {@code reason} either way.
	 * @param present whether the tool was found
	 * @param reason what is missing and how to install it
	 */
	public static void require(boolean present, String reason) {
		if (!present) {
			failUnderCi(reason);
			Assumptions.abort(reason);
		}
	}

}
