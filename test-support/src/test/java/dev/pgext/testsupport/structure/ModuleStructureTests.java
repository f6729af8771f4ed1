package dev.pgext.testsupport.structure;

import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The structure rules find the faults they are there for, in a fixture module that has
 * them.
 */
class ModuleStructureTests {

	private static final String FIXTURE = "dev.pgext.testsupport.structure.fixture";

	private static final JavaClasses FIXTURE_CLASSES = new ClassFileImporter().importPackages(FIXTURE);

	@Test
	void aSubPackageCallingBackIntoTheBasePackageIsACycle() {
		EvaluationResult result = new ModuleStructure(FIXTURE, FIXTURE_CLASSES, List.of()).packagesAreFreeOfCycles()
			.evaluate(FIXTURE_CLASSES);

		assertThat(result.hasViolation()).isTrue();
		assertThat(result.getFailureReport().getDetails())
			.anySatisfy((detail) -> assertThat(detail).contains("Slice (base package)").contains("Slice a"));
	}

	@Test
	void usingAnotherModulesCodeIsReported() {
		EvaluationResult result = new ModuleStructure(FIXTURE, FIXTURE_CLASSES, List.of()).usesNoOtherModule()
			.evaluate(FIXTURE_CLASSES);

		assertThat(result.getFailureReport().getDetails()).singleElement()
			.asString()
			.contains(FIXTURE + ".b.B")
			.contains("dev.pgext.testsupport.TestInfrastructure");
	}

	@Test
	void aModuleMayUseThePackagesItNamesAsAllowed() {
		EvaluationResult result = new ModuleStructure(FIXTURE, FIXTURE_CLASSES, List.of("dev.pgext.testsupport"))
			.usesNoOtherModule()
			.evaluate(FIXTURE_CLASSES);

		assertThat(result.hasViolation()).isFalse();
	}

}
