package dev.pgext.testsupport.structure;

import org.junit.jupiter.api.Test;

/**
 * The structure tests every module runs, the same everywhere: a module's
 * {@code ModuleBoundaryTests} extends this with its {@link ModuleStructure} and adds the
 * rules only it has.
 */
public abstract class ModuleStructureChecks {

	private final ModuleStructure module;

	protected ModuleStructureChecks(ModuleStructure module) {
		this.module = module;
	}

	/** The module under test, for the rules a module adds. */
	protected ModuleStructure module() {
		return this.module;
	}

	@Test
	void packagesAreFreeOfCycles() {
		this.module.packagesAreFreeOfCycles().check(this.module.classes());
	}

	@Test
	void noOtherModuleIsUsed() {
		this.module.usesNoOtherModule().check(this.module.classes());
	}

}
