package dev.pgext.model.elf;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PgMagicBlock#problemFor}: what makes Postgres refuse a module, in
 * words.
 */
class PgMagicBlockTests {

	private static final PgMagicBlock STANDARD_15 = new PgMagicBlock(56, 1500, 100, 32, 64, true, "PostgreSQL");

	@Test
	void aStandardBuildOfTheRightMajorHasNoProblem() {
		assertThat(STANDARD_15.problemFor(15)).isNull();
		assertThat(new PgMagicBlock(72, 1800, 100, 32, 64, true, "PostgreSQL").problemFor(18)).isNull();
		assertThat(new PgMagicBlock(24, 1400, 100, 32, 64, true, null).problemFor(14)).isNull();
	}

	@Test
	void everyNonStandardBuildParameterIsNamedWithTheStandardValue() {
		assertThat(STANDARD_15.problemFor(16)).isEqualTo("it is built for PostgreSQL 15, not 16");
		assertThat(new PgMagicBlock(56, 1500, 200, 32, 64, true, "PostgreSQL").problemFor(15))
			.contains("FUNC_MAX_ARGS 200")
			.contains("100");
		assertThat(new PgMagicBlock(56, 1500, 100, 64, 64, true, "PostgreSQL").problemFor(15))
			.contains("INDEX_MAX_KEYS 64");
		assertThat(new PgMagicBlock(56, 1500, 100, 32, 128, true, "PostgreSQL").problemFor(15))
			.contains("NAMEDATALEN 128");
		assertThat(new PgMagicBlock(56, 1500, 100, 32, 64, false, "PostgreSQL").problemFor(15))
			.contains("FLOAT8PASSBYVAL false");
		assertThat(new PgMagicBlock(56, 1500, 100, 32, 64, true, "EnterpriseDB").problemFor(15))
			.contains("'EnterpriseDB'");
	}

}
