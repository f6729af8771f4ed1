package dev.pgext.model.control;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LibraryReferences}.
 */
class LibraryReferencesTests {

	@Test
	void findsLibdirReferencesAndModulePathname() {
		ControlFile control = ControlFileParser.parse("x.control", "module_pathname = '$libdir/xlib'\n");
		String sql = """
				CREATE FUNCTION a() RETURNS int AS 'MODULE_PATHNAME', 'a' LANGUAGE C;
				CREATE FUNCTION b() RETURNS int AS '$libdir/other.so', 'b' LANGUAGE C;
				LOAD '$libdir/plugin';
				""";
		assertThat(LibraryReferences.in(sql, control)).containsExactly("other", "plugin", "xlib");
	}

	@Test
	void plainSqlLoadsNothing() {
		ControlFile control = ControlFileParser.parse("x.control", "module_pathname = '$libdir/xlib'\n");
		assertThat(LibraryReferences.in("CREATE TABLE t (a int);", control)).isEmpty();
	}

}
