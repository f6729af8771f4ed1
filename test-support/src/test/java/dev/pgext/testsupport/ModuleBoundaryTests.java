package dev.pgext.testsupport;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.structure.ModuleStructure;

/**
 * Test support's packages form no cycle, and it uses no module's code but common-model's.
 */
class ModuleBoundaryTests {

	private static final ModuleStructure MODULE = ModuleStructure.of(TestInfrastructure.class);

	@Test
	void packagesAreFreeOfCycles() {
		MODULE.packagesAreFreeOfCycles().check(MODULE.classes());
	}

	@Test
	void noOtherModuleIsUsed() {
		MODULE.usesNoOtherModule().check(MODULE.classes());
	}

}
