package dev.pgext.loader;

import dev.pgext.testsupport.structure.ModuleStructure;
import dev.pgext.testsupport.structure.ModuleStructureChecks;

/**
 * The loader's packages form no cycle, and it uses no other module's code (test support
 * included).
 */
class ModuleBoundaryTests extends ModuleStructureChecks {

	ModuleBoundaryTests() {
		super(ModuleStructure.of(LoaderApplication.class, "dev.pgext.service.."));
	}

}
