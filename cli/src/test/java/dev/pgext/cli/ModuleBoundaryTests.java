package dev.pgext.cli;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.structure.ModuleStructure;
import dev.pgext.testsupport.structure.ModuleStructureChecks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The CLI's packages form no cycle; it is a client: it uses common-model and the
 * registry's HTTP API, never a service's classes, and it starts no Spring context.
 */
class ModuleBoundaryTests extends ModuleStructureChecks {

	ModuleBoundaryTests() {
		super(ModuleStructure.of(PgextCli.class));
	}

	@Test
	void springIsNotUsed() {
		noClasses().should().dependOnClassesThat().resideInAPackage("org.springframework..").check(module().classes());
	}

}
