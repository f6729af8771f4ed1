package dev.pgext.cli;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.structure.ModuleStructure;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The CLI's packages form no cycle; it is a client: it uses common-model and the registry's HTTP API, never a
 * service's classes, and it starts no Spring context.
 */
class ModuleBoundaryTests {

	private static final ModuleStructure MODULE = ModuleStructure.of(PgextCli.class);

	@Test
	void packagesAreFreeOfCycles() {
		MODULE.packagesAreFreeOfCycles().check(MODULE.classes());
	}

	@Test
	void noOtherModuleIsUsed() {
		MODULE.usesNoOtherModule().check(MODULE.classes());
	}

	@Test
	void springIsNotUsed() {
		noClasses().should().dependOnClassesThat().resideInAPackage("org.springframework..").check(MODULE.classes());
	}

}
