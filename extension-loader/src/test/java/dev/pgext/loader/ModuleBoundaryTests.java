package dev.pgext.loader;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.structure.ModuleStructure;

/**
 * The loader's packages form no cycle, and it uses no other module's code (test support included).
 */
class ModuleBoundaryTests {

	private static final ModuleStructure MODULE = ModuleStructure.of(LoaderApplication.class);

	@Test
	void packagesAreFreeOfCycles() {
		MODULE.packagesAreFreeOfCycles().check(MODULE.classes());
	}

	@Test
	void noOtherModuleIsUsed() {
		MODULE.usesNoOtherModule().check(MODULE.classes());
	}

}
