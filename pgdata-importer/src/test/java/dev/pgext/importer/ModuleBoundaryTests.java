package dev.pgext.importer;

import dev.pgext.testsupport.structure.ModuleStructure;
import dev.pgext.testsupport.structure.ModuleStructureChecks;

/**
 * The importer's packages form no cycle, and it uses no other module's code (test support
 * included).
 */
class ModuleBoundaryTests extends ModuleStructureChecks {

	ModuleBoundaryTests() {
		super(ModuleStructure.of(PgdataImporterApplication.class, "dev.pgext.service.."));
	}

}
