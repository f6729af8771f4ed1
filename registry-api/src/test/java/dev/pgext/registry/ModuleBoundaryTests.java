package dev.pgext.registry;

import org.junit.jupiter.api.Test;

import org.springframework.web.bind.annotation.RestController;

import dev.pgext.testsupport.structure.ModuleStructure;
import dev.pgext.testsupport.structure.ModuleStructureChecks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The registry's packages form no cycle, it uses no other module's code (test support
 * included), and its controllers leave SQL to the repositories of their feature.
 */
class ModuleBoundaryTests extends ModuleStructureChecks {

	ModuleBoundaryTests() {
		super(ModuleStructure.of(RegistryApplication.class, "dev.pgext.service.."));
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
			.check(module().classes());
	}

}
