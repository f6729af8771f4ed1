package dev.pgext.registry;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * This service reaches into no other service's packages, and its production code never
 * uses test support.
 */
class ModuleBoundaryTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.pgext.registry");

	@Test
	void noOtherServiceIsUsed() {
		noClasses().should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.pgext.loader..", "dev.pgext.bundle..", "dev.pgext.importer..")
			.check(this.classes);
	}

	@Test
	void productionCodeDoesNotUseTestSupport() {
		noClasses().should().dependOnClassesThat().resideInAPackage("dev.pgext.testsupport..").check(this.classes);
	}

}
