package dev.pgext.cli.pack;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgext.cli.exit.CliException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The Postgres major, read from what {@code pg_config} and {@code postgres} print. */
class PgConfigTests {

	@Test
	void theMajorIsReadFromPgConfigAndFromPostgres() {
		assertThat(PgConfig.majorOf("pg_config", "PostgreSQL 15.14 (Debian 15.14-1.pgdg120+1)").value()).isEqualTo(15);
		assertThat(PgConfig.majorOf("postgres", "postgres (PostgreSQL) 15.19").value()).isEqualTo(15);
		assertThat(PgConfig.majorOf("postgres", "postgres (PostgreSQL) 18devel").value()).isEqualTo(18);
	}

	@Test
	void anUnsupportedOrMissingVersionIsALocalError() {
		assertThatExceptionOfType(CliException.class)
			.isThrownBy(() -> PgConfig.majorOf("pg_config", "PostgreSQL 9.6.24"))
			.withMessageContaining("pg_config");
		assertThatExceptionOfType(CliException.class).isThrownBy(() -> PgConfig.majorOf("pg_config", "something else"))
			.withMessageContaining("names no PostgreSQL version");
	}

	@Test
	void aProgramIsWaitedForNotTheProgramsItLeftHoldingItsOutput() {
		// the shell ends at once; the sleep it started keeps the output open for 60 s
		List<String> output = PgConfig.run(List.of("sh", "-c", "sleep 60 & echo $!"));

		ProcessHandle sleep = ProcessHandle.of(Long.parseLong(output.get(0))).orElseThrow();
		try {
			assertThat(sleep.isAlive()).as("returned while the output was still held open").isTrue();
		}
		finally {
			sleep.destroyForcibly();
		}
	}

}
