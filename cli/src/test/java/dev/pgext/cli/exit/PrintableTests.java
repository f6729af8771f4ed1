package dev.pgext.cli.exit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrintableTests {

	@Test
	void controlCharactersAndDirectionOverridesArePrintedAsEscapes() {
		assertThat(Printable.of("esc \u001b[31mRED\u001b[0m")).isEqualTo("esc \\x1b[31mRED\\x1b[0m");
		assertThat(Printable.of("title\u001b]0;pwned\u0007")).isEqualTo("title\\x1b]0;pwned\\x07");
		assertThat(Printable.of("a\nb\rc\u009b")).isEqualTo("a\\x0ab\\x0dc\\x9b");
		assertThat(Printable.of("abc\u202etxt.so")).isEqualTo("abc\\u202etxt.so");
	}

	@Test
	void ordinaryTextIsLeftAsItIs() {
		assertThat(Printable.of("hstore 1.8 - data type for storing sets of (key, value) pairs, ünïcödé 日本"))
			.isEqualTo("hstore 1.8 - data type for storing sets of (key, value) pairs, ünïcödé 日本");
		assertThat(Printable.of(null)).isNull();
	}

}
