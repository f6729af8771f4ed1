package dev.pgext.model.release;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Release versions are semantic versions; the lax forms publishers write are normalised
 * and everything else is refused.
 */
class ReleaseVersionTests {

	@ParameterizedTest
	@CsvSource({ "1, 1.0.0", "1.0, 1.0.0", "v1.2.3, 1.2.3", "V2.0, 2.0.0", "1.0-beta, 1.0.0-beta",
			"1.8-contrib, 1.8.0-contrib", "0.0.1, 0.0.1", "2.0.0-rc.1+build.5, 2.0.0-rc.1+build.5" })
	void laxFormsAreNormalised(String written, String normal) {
		assertThat(ReleaseVersion.problem(written)).isNull();
		ReleaseVersion version = ReleaseVersion.normalize(written);
		assertThat(version.value()).isEqualTo(normal);
		assertThat(version.normalizedFrom()).isEqualTo(written.equals(normal) ? null : written);
	}

	@ParameterizedTest
	@ValueSource(strings = { "01.02.03", "1.0.0.1", "1.0.0_1", "1.02.0", "1.0.0-01", "latest", "1..0", "-1.0.0",
			"1.0.0-", "1.0.0+", "v", "" })
	void anythingElseIsRefused(String written) {
		assertThat(ReleaseVersion.problem(written)).isNotNull();
	}

}
