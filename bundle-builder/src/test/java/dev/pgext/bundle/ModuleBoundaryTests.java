package dev.pgext.bundle;

import dev.pgext.testsupport.structure.ModuleStructure;
import dev.pgext.testsupport.structure.ModuleStructureChecks;

/**
 * The bundle builder's packages form no cycle, and it uses no other module's code (test
 * support included).
 */
class ModuleBoundaryTests extends ModuleStructureChecks {

	ModuleBoundaryTests() {
		super(ModuleStructure.of(BundleBuilderApplication.class));
	}

}
