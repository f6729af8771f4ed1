package dev.pgext.loader.fetch;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registry's {@code Retry-After} on a 429 or 5xx, as seconds or as an HTTP date, is the
 * wait the retry honours; anything else asks for nothing.
 */
class RegistryBusyExceptionTests {

	private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

	@Test
	void secondsAndDatesAreWaitsAndNonsenseIsNone() {
		assertThat(RegistryBusyException.parse("30", NOW)).isEqualTo(Duration.ofSeconds(30));
		assertThat(RegistryBusyException.parse(" 0 ", NOW)).isEqualTo(Duration.ZERO);
		assertThat(RegistryBusyException.parse("Thu, 03 Dec 2026 10:01:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(90));
		assertThat(RegistryBusyException.parse("Thu, 03 Dec 2026 09:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
		assertThat(RegistryBusyException.parse("soon", NOW)).isNull();
		assertThat(RegistryBusyException.parse("-5", NOW)).isNull();
		assertThat(RegistryBusyException.parse(null, NOW)).isNull();
	}

	@Test
	void theMessageSaysWhatTheRegistryAskedFor() {
		RegistryBusyException busy = RegistryBusyException.of("registry api/v1/files/x answered 429", "12");
		assertThat(busy.askedWait()).isEqualTo(Duration.ofSeconds(12));
		assertThat(busy).hasMessage("registry api/v1/files/x answered 429 (Retry-After 12 s)");
		assertThat(RegistryBusyException.of("registry x answered 503", null).askedWait()).isNull();
	}

}
