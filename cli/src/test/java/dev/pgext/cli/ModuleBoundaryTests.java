package dev.pgext.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The CLI is a client: it uses common-model and the registry's HTTP API, never a service's
 * classes, and it starts no Spring context.
 */
class ModuleBoundaryTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.pgext.cli");

	@Test
	void theCliReachesIntoNoService() {
		noClasses().should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.pgext.registry..", "dev.pgext.loader..", "dev.pgext.bundle..",
					"dev.pgext.importer..", "dev.pgext.testsupport..", "org.springframework..")
			.check(this.classes);
	}

}
