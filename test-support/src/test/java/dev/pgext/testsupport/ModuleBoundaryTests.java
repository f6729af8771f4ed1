package dev.pgext.testsupport;

import dev.pgext.testsupport.structure.ModuleStructure;
import dev.pgext.testsupport.structure.ModuleStructureChecks;

/**
 * Test support's packages form no cycle, and it uses no module's code but common-model's.
 */
class ModuleBoundaryTests extends ModuleStructureChecks {

	ModuleBoundaryTests() {
		super(ModuleStructure.of(TestInfrastructure.class));
	}

}
