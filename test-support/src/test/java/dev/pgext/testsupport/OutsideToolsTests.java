package dev.pgext.testsupport;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

class OutsideToolsTests {

	@Test
	void ciIsWhatRunnersSetAndNotAnExplicitFalse() {
		assertThat(OutsideTools.underCi("true")).isTrue();
		assertThat(OutsideTools.underCi("1")).isTrue();
		assertThat(OutsideTools.underCi("TRUE")).isTrue();
		assertThat(OutsideTools.underCi(null)).isFalse();
		assertThat(OutsideTools.underCi("")).isFalse();
		assertThat(OutsideTools.underCi("false")).isFalse();
		assertThat(OutsideTools.underCi(" False ")).isFalse();
	}

	@Test
	void aPresentToolIsNeitherSkippedNorFailed() {
		assertThatNoException().isThrownBy(() -> OutsideTools.require(true, "never said"));
	}

	@Test
	void aMissingToolFailsTheTestUnderCiAndSkipsItElsewhereWithTheReason() {
		Class<? extends Throwable> expected = OutsideTools.underCi() ? AssertionFailedError.class
				: TestAbortedException.class;
		assertThatExceptionOfType(expected).isThrownBy(() -> OutsideTools.require(false, "frobnicate is not installed"))
			.withMessageContaining("frobnicate is not installed");
	}

	@Test
	void failUnderCiReturnsOnlyOutsideCi() {
		if (OutsideTools.underCi()) {
			assertThatExceptionOfType(AssertionFailedError.class).isThrownBy(() -> OutsideTools.failUnderCi("x"))
				.withMessage("x (required under CI)");
		}
		else {
			assertThatNoException().isThrownBy(() -> OutsideTools.failUnderCi("x"));
		}
	}

}
