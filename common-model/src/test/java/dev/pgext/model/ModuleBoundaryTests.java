package dev.pgext.model;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * common-model is plain Java: it must not depend on any service, nor on Spring.
 */
class ModuleBoundaryTests {

	private final JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.pgext.model");

	@Test
	void commonModelDependsOnNoService() {
		noClasses().should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.pgext.registry..", "dev.pgext.loader..", "dev.pgext.bundle..",
					"dev.pgext.importer..", "dev.pgext.cli..", "dev.pgext.testsupport..")
			.check(this.classes);
	}

	@Test
	void commonModelDoesNotUseSpring() {
		noClasses().should().dependOnClassesThat().resideInAPackage("org.springframework..").check(this.classes);
	}

}
