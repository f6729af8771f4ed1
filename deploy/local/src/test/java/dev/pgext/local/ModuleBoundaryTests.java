package dev.pgext.local;

import dev.pgext.testsupport.structure.ModuleStructure;
import dev.pgext.testsupport.structure.ModuleStructureChecks;

/**
 * The local stack's packages form no cycle; it starts the services by their application
 * classes (their base packages) and uses test support for its infrastructure, nothing
 * else of another module.
 */
class ModuleBoundaryTests extends ModuleStructureChecks {

	ModuleBoundaryTests() {
		super(ModuleStructure.of(LocalStack.class, "dev.pgext.registry", "dev.pgext.loader", "dev.pgext.importer",
				"dev.pgext.testsupport.."));
	}

}
