package dev.pgext.bundle;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.structure.ModuleStructure;

/**
 * The bundle builder's packages form no cycle, and it uses no other module's code (test support included).
 */
class ModuleBoundaryTests {

	private static final ModuleStructure MODULE = ModuleStructure.of(BundleBuilderApplication.class);

	@Test
	void packagesAreFreeOfCycles() {
		MODULE.packagesAreFreeOfCycles().check(MODULE.classes());
	}

	@Test
	void noOtherModuleIsUsed() {
		MODULE.usesNoOtherModule().check(MODULE.classes());
	}

}
