package dev.pgext.importer;

import org.junit.jupiter.api.Test;

import dev.pgext.testsupport.structure.ModuleStructure;

/**
 * The importer's packages form no cycle, and it uses no other module's code (test support included).
 */
class ModuleBoundaryTests {

	private static final ModuleStructure MODULE = ModuleStructure.of(PgdataImporterApplication.class);

	@Test
	void packagesAreFreeOfCycles() {
		MODULE.packagesAreFreeOfCycles().check(MODULE.classes());
	}

	@Test
	void noOtherModuleIsUsed() {
		MODULE.usesNoOtherModule().check(MODULE.classes());
	}

}
