package dev.pgext.model.control;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The rules for an extension's scripts and library references, as the registry and the
 * CLI apply them.
 */
class ExtensionScriptsTests {

	@Test
	void scriptsLiveInShareExtensionOrTheControlFilesDirectoryUnderShare() {
		assertThat(ExtensionScripts.scriptDirectory(control(null))).isEqualTo("share/extension");
		assertThat(ExtensionScripts.scriptDirectory(control("contrib/hello/"))).isEqualTo("share/contrib/hello");
	}

	@Test
	void aDirectoryOutsideShareIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> ExtensionScripts.scriptDirectory(control("/etc")))
			.withMessage("hello.control: directory must be relative to share/ (got '/etc')");
		assertThatIllegalArgumentException().isThrownBy(() -> ExtensionScripts.scriptDirectory(control("../lib")));
	}

	@Test
	void aLibraryReferenceNamesOneFileDirectlyInLib() {
		assertThat(ExtensionScripts.referenceProblem("x.sql", "$libdir/hello")).isNull();
		assertThat(ExtensionScripts.referenceProblem("x.sql", "hello")).isNull();
		assertThat(ExtensionScripts.referenceProblem("x.sql", "$libdir/../evil"))
			.startsWith("x.sql refers to '$libdir/../evil'");
		assertThat(ExtensionScripts.referenceProblem("x.sql", "$libdir/..")).isNotNull();
		assertThat(ExtensionScripts.referenceProblem("x.sql", "/usr/lib/evil")).isNotNull();
	}

	@Test
	void libdirReferencesAreFoundAsWritten() {
		assertThat(
				ExtensionScripts.libdirReferences("CREATE FUNCTION f() AS '$libdir/hello', 'f'; LOAD '$libdir/a/b';"))
			.containsExactly("$libdir/hello", "$libdir/a/b");
	}

	@Test
	void aVersionIsInstallableFromItsScriptOrThroughUpdates() {
		ExtensionScripts.Versions versions = new ExtensionScripts.Versions("hello");
		List.of("hello--1.0.sql", "hello--1.0--1.1.sql", "hello--1.1--1.2.sql", "hello--2.0--2.1.sql", "other--3.0.sql",
				"hello--1.0.control")
			.forEach(versions::addScript);

		assertThat(versions.canInstall("1.0")).isTrue();
		assertThat(versions.canInstall("1.2")).isTrue();
		assertThat(versions.canInstall("2.1")).isFalse();
		assertThat(versions.canInstall("3.0")).isFalse();
	}

	private static ControlFile control(String directory) {
		return new ControlFile("hello", "1.0", null, directory, null, null, false, true, false, null, List.of(),
				List.of());
	}

}
