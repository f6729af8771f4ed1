package dev.pgext.registry;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.RestController;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * This service reaches into no other service's packages, its controllers leave SQL to the
 * repositories of their feature, and its production code never uses test support.
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
	void controllersHoldNoSql() {
		// the user and token endpoints of auth still query directly
		noClasses().that()
			.areAnnotatedWith(RestController.class)
			.and()
			.resideOutsideOfPackage("dev.pgext.registry.auth..")
			.should()
			.dependOnClassesThat()
			.areAssignableTo(JdbcClient.class)
			.orShould()
			.dependOnClassesThat()
			.areAssignableTo(JdbcOperations.class)
			.check(this.classes);
	}

	@Test
	void productionCodeDoesNotUseTestSupport() {
		noClasses().should().dependOnClassesThat().resideInAPackage("dev.pgext.testsupport..").check(this.classes);
	}

}
