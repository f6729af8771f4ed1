package dev.pgext.importer;

import java.nio.file.Path;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * This service reaches into no other service's packages, and its production code never uses test support.
 */
class ModuleBoundaryTests {

	// the module's own production classes only; scanning the whole class path for the package is slow
	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPath(Path.of("target", "classes"));

	@Test
	void noOtherServiceIsUsed() {
		noClasses().should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.pgext.registry..", "dev.pgext.loader..", "dev.pgext.bundle..")
			.check(this.classes);
	}

	@Test
	void theClassesWereFound() {
		assertThat(this.classes.containPackage("dev.pgext.importer.run")).isTrue();
	}

	@Test
	void productionCodeDoesNotUseTestSupport() {
		noClasses().should().dependOnClassesThat().resideInAPackage("dev.pgext.testsupport..").check(this.classes);
	}

}
