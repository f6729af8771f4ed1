package dev.pgext.model;

import java.net.URISyntaxException;
import java.nio.file.Path;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * common-model is plain Java, its packages form no cycle, and it depends on no other
 * module nor on Spring. The other modules check the same with test-support's
 * {@code ModuleStructure}; test-support depends on common-model, so this module states
 * the rules itself.
 */
class ModuleBoundaryTests {

	private static final JavaClasses CLASSES = importMainClasses();

	// this module's classes only, without looking up what they refer to on the class path
	// (the rules judge a dependency by its name; the look-up takes seconds)
	private static JavaClasses importMainClasses() {
		ArchConfiguration configuration = ArchConfiguration.get();
		boolean resolve = configuration.resolveMissingDependenciesFromClassPath();
		configuration.setResolveMissingDependenciesFromClassPath(false);
		try {
			return new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
				.importPath(Path.of(ExtensionName.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			configuration.setResolveMissingDependenciesFromClassPath(resolve);
		}
	}

	@Test
	void packagesAreFreeOfCycles() {
		// every package a slice, the base package included (all others sit directly under
		// it)
		slices().matching("dev.pgext.(**)").should().beFreeOfCycles().check(CLASSES);
	}

	@Test
	void noOtherModuleIsUsed() {
		noClasses().should()
			.dependOnClassesThat(resideInAPackage("dev.pgext..").and(resideOutsideOfPackage("dev.pgext.model..")))
			.check(CLASSES);
	}

	@Test
	void springIsNotUsed() {
		noClasses().should().dependOnClassesThat().resideInAPackage("org.springframework..").check(CLASSES);
	}

}
