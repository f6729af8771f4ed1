package dev.pgext.model.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ControlFileParser}: the server's grammar, by hand-written cases.
 */
class ControlFileParserTests {

	@Test
	void parsesEveryParameterTheServerKnows() {
		String text = """
				# earthdistance extension
				comment = 'calculate great-circle distances on the surface of the Earth'
				default_version = '1.2'
				module_pathname = '$libdir/earthdistance'
				relocatable = true
				trusted = yes
				superuser = off
				requires = 'cube, "Quoted Name",  plpgsql'
				schema = pg_catalog
				directory = 'earthdistance'
				encoding = UTF8
				no_relocate = 'cube'
				""";
		ControlFile control = ControlFileParser.parse("earthdistance.control", text);
		assertThat(control.name()).isEqualTo("earthdistance");
		assertThat(control.comment()).isEqualTo("calculate great-circle distances on the surface of the Earth");
		assertThat(control.defaultVersion()).isEqualTo("1.2");
		assertThat(control.modulePathname()).isEqualTo("$libdir/earthdistance");
		assertThat(control.moduleLibrary()).isEqualTo("earthdistance");
		assertThat(control.relocatable()).isTrue();
		assertThat(control.trusted()).isTrue();
		assertThat(control.superuser()).isFalse();
		assertThat(control.requires()).containsExactly("cube", "Quoted Name", "plpgsql");
		assertThat(control.schema()).isEqualTo("pg_catalog");
		assertThat(control.directory()).isEqualTo("earthdistance");
		assertThat(control.encoding()).isEqualTo("UTF8");
		assertThat(control.noRelocate()).containsExactly("cube");
	}

	@Test
	void appliesTheServerDefaultsWhenParametersAreAbsent() {
		ControlFile control = ControlFileParser.parse("minimal.control", "default_version = '1.0'\n");
		assertThat(control.relocatable()).isFalse();
		assertThat(control.superuser()).isTrue();
		assertThat(control.trusted()).isFalse();
		assertThat(control.requires()).isEmpty();
		assertThat(control.modulePathname()).isNull();
		assertThat(control.moduleLibrary()).isNull();
	}

	@Test
	void quotedStringsUnescapeDoubledQuotesAndBackslashes() {
		ControlFile control = ControlFileParser.parse("q.control",
				"comment = 'it''s a \\'test\\' with\\ttab and octal \\101'   # trailing comment\n");
		assertThat(control.comment()).isEqualTo("it's a 'test' with\ttab and octal A");
	}

	@Test
	void theEqualsSignIsOptionalAndLaterSettingsWin() {
		ControlFile control = ControlFileParser.parse("x.control",
				"default_version '1.0'\ndefault_version = '2.0'\nrelocatable false\n");
		assertThat(control.defaultVersion()).isEqualTo("2.0");
		assertThat(control.relocatable()).isFalse();
	}

	@Test
	void windowsLineEndingsAndBlankLinesAreAccepted() {
		ControlFile control = ControlFileParser.parse("x.control", "\r\n# c\r\ndefault_version = '1.0'\r\n\r\n");
		assertThat(control.defaultVersion()).isEqualTo("1.0");
	}

	@ParameterizedTest
	@CsvSource({ "t,true", "TRUE,true", "y,true", "on,true", "1,true", "f,false", "no,false", "off,false", "of,false",
			"0,false" })
	void booleansAreReadAsParseBoolReadsThem(String raw, boolean expected) {
		assertThat(ControlFileParser.parseBool(raw)).isEqualTo(expected);
	}

	@Test
	void anUnknownParameterNamesItsLine() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("bad.control", "default_version = '1.0'\nversion = '1.0'\n"))
			.withMessageContaining("line 2")
			.withMessageContaining("unrecognized parameter \"version\"")
			.satisfies((ex) -> assertThat(ex.line()).isEqualTo(2));
	}

	@Test
	void anUnterminatedStringNamesItsLine() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("bad.control", "# one\n\ncomment = 'no end\n"))
			.withMessageContaining("line 3")
			.withMessageContaining("unterminated quoted string");
	}

	@Test
	void twoValuesOnOneLineAreASyntaxError() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("bad.control", "default_version = '1.0' '2.0'\n"))
			.withMessageContaining("line 1")
			.withMessageContaining("syntax error near \"'2.0'\"");
	}

	@Test
	void aParameterWithoutValueIsRejected() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("bad.control", "relocatable =\n"))
			.withMessageContaining("line 1")
			.withMessageContaining("has no value");
	}

	@Test
	void aNonBooleanForABooleanParameterIsRejected() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("bad.control", "\nsuperuser = maybe\n"))
			.withMessageContaining("line 2")
			.withMessageContaining("requires a Boolean value");
	}

	@Test
	void aValueThatStartsLikeNoTokenIsASyntaxError() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("bad.control", "comment = @oops\n"))
			.withMessageContaining("line 1")
			.withMessageContaining("syntax error");
	}

	@Test
	void anInvalidDefaultVersionIsRejected() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("bad.control", "default_version = '1--2'\n"))
			.withMessageContaining("line 1")
			.withMessageContaining("--");
	}

	@Test
	void aMalformedRequiresListIsRejected() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("bad.control", "requires = 'cube,,earth'\n"))
			.withMessageContaining("line 1")
			.withMessageContaining("requires");
	}

	@Test
	void fileNamesMustBePrimaryControlFilesWithValidNames() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("hstore--1.8.control", "comment = 'x'\n"))
			.withMessageContaining("secondary");
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("-bad.control", "comment = 'x'\n"))
			.withMessageContaining("must not begin or end");
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("hstore.ctl", "comment = 'x'\n"))
			.withMessageContaining(".control");
	}

	@Test
	void includeDirectivesAreNotAllowed() {
		assertThatExceptionOfType(ControlFileException.class)
			.isThrownBy(() -> ControlFileParser.parse("bad.control", "include '/etc/passwd'\n"))
			.withMessageContaining("not allowed");
	}

}
