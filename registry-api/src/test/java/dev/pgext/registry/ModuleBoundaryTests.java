package dev.pgext.registry;

import org.junit.jupiter.api.Test;

import org.springframework.web.bind.annotation.RestController;

import dev.pgext.testsupport.structure.ModuleStructure;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The registry's packages form no cycle, it uses no other module's code (test support included), and its
 * controllers leave SQL to the repositories of their feature.
 */
class ModuleBoundaryTests {

	private static final ModuleStructure MODULE = ModuleStructure.of(RegistryApplication.class);

	@Test
	void packagesAreFreeOfCycles() {
		MODULE.packagesAreFreeOfCycles().check(MODULE.classes());
	}

	@Test
	void noOtherModuleIsUsed() {
		MODULE.usesNoOtherModule().check(MODULE.classes());
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
			.resideInAPackage("org.springframework.jdbc..")
			.check(MODULE.classes());
	}

}
