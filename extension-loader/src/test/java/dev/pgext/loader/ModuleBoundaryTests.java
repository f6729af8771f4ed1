package dev.pgext.loader;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * This service reaches into no other service's packages, and its production code never uses test support.
 */
class ModuleBoundaryTests {

	// only this module's output directory: scanning every jar on the test classpath takes many seconds
	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importUrl(LoaderApplication.class.getProtectionDomain().getCodeSource().getLocation());

	@Test
	void noOtherServiceIsUsed() {
		noClasses().should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.pgext.registry..", "dev.pgext.bundle..", "dev.pgext.importer..")
			.check(this.classes);
	}

	@Test
	void productionCodeDoesNotUseTestSupport() {
		noClasses().should().dependOnClassesThat().resideInAPackage("dev.pgext.testsupport..").check(this.classes);
	}

}
