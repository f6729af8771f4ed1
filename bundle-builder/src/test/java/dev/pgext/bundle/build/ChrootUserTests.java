package dev.pgext.bundle.build;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ChrootUser}: the configured users the bundle's {@code /etc/passwd}
 * lists.
 */
class ChrootUserTests {

	@Test
	void nameUidGidIsParsed() {
		assertThat(ChrootUser.parse("pageserver:1000:1000")).isEqualTo(new ChrootUser("pageserver", 1000, 1000));
	}

	@Test
	void rootIsRefusedBecausePostgresRefusesIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> ChrootUser.parse("admin:0:0"))
			.withMessageContaining("Postgres refuses root");
	}

	@Test
	void somethingElseIsRefusedWithTheExpectedForm() {
		assertThatIllegalArgumentException().isThrownBy(() -> ChrootUser.parse("nobody"))
			.withMessageContaining("is not name:uid:gid");
		assertThatIllegalArgumentException().isThrownBy(() -> ChrootUser.parse("nobody:x:1"))
			.withMessageContaining("numeric ids");
		assertThatIllegalArgumentException().isThrownBy(() -> ChrootUser.parse("No Body:1:1"))
			.withMessageContaining("is not a user name");
	}

}
