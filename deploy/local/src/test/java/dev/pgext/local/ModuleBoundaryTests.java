package dev.pgext.local;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.structure.ModuleStructure;

/**
 * The local stack's packages form no cycle; it starts the services by their application
 * classes (their base packages) and uses test support for its infrastructure, nothing else of
 * another module.
 */
class ModuleBoundaryTests {

	private static final ModuleStructure MODULE = ModuleStructure.of(LocalStack.class, "dev.pgext.registry",
			"dev.pgext.loader", "dev.pgext.importer", "dev.pgext.testsupport..");

	@Test
	void packagesAreFreeOfCycles() {
		MODULE.packagesAreFreeOfCycles().check(MODULE.classes());
	}

	@Test
	void noOtherModuleIsUsed() {
		MODULE.usesNoOtherModule().check(MODULE.classes());
	}

}
