package dev.pgext.testsupport.structure;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The structure rules of one module, the same for every module: its packages form no
 * cycle (the base package counts as a package of its own, so a sub-package that calls
 * back into it is a cycle too), and it depends on no {@code dev.pgext} code but its own,
 * common-model's ({@code dev.pgext.model}) and whatever it names as allowed. Only the
 * module's main classes are checked: they are imported from the directory (or jar) that
 * holds the anchor class, tests excluded, once per test JVM.
 *
 * @param basePackage the module's base package, such as {@code dev.pgext.registry}
 * @param classes the module's main classes
 * @param allowed further {@code dev.pgext} packages the module may use, as ArchUnit
 * package identifiers such as {@code dev.pgext.testsupport..}
 */
public record ModuleStructure(String basePackage, JavaClasses classes, List<String> allowed) {

	private static final Map<URL, JavaClasses> IMPORTED = new ConcurrentHashMap<>();

	/**
	 * The structure of the module that {@code anchor} belongs to; its base package is the
	 * anchor's package.
	 */
	public static ModuleStructure of(Class<?> anchor, String... allowed) {
		URL location = anchor.getProtectionDomain().getCodeSource().getLocation();
		JavaClasses classes = IMPORTED.computeIfAbsent(location, ModuleStructure::importMainClasses);
		return new ModuleStructure(anchor.getPackageName(), classes, List.of(allowed));
	}

	/**
	 * Imports the classes at {@code location} without looking up the classes they refer
	 * to on the class path: the rules judge dependencies by the referenced class's name,
	 * and the look-up through every jar of a service's test class path takes many
	 * seconds.
	 */
	private static synchronized JavaClasses importMainClasses(URL location) {
		ArchConfiguration configuration = ArchConfiguration.get();
		boolean resolve = configuration.resolveMissingDependenciesFromClassPath();
		configuration.setResolveMissingDependenciesFromClassPath(false);
		try {
			return new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
				.importPath(Path.of(location.toURI()));
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException("cannot import the classes at " + location, ex);
		}
		finally {
			configuration.setResolveMissingDependenciesFromClassPath(resolve);
		}
	}

	/**
	 * No cycle between the packages directly under the base package and the base package
	 * itself.
	 */
	public ArchRule packagesAreFreeOfCycles() {
		return slices().assignedFrom(new TopLevelPackages(this.basePackage))
			.should()
			.beFreeOfCycles()
			.because("a package that depends on another must not be needed by it");
	}

	/**
	 * No dependency on another module's code: only its own, common-model's and the
	 * allowed packages.
	 */
	public ArchRule usesNoOtherModule() {
		List<String> permitted = new ArrayList<>();
		permitted.add(this.basePackage + "..");
		permitted.add("dev.pgext.model..");
		permitted.addAll(this.allowed);
		return noClasses().should()
			.dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.pgext..")
				.and(JavaClass.Predicates.resideOutsideOfPackages(permitted.toArray(String[]::new))))
			.because("modules share code through common-model (the services also through service-support) only");
	}

	/**
	 * One slice per package directly under the base package, and one for the base
	 * package.
	 */
	private record TopLevelPackages(String basePackage) implements SliceAssignment {

		@Override
		public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
			String name = javaClass.getPackageName();
			if (name.equals(this.basePackage)) {
				return SliceIdentifier.of("(base package)");
			}
			if (!name.startsWith(this.basePackage + ".")) {
				return SliceIdentifier.ignore();
			}
			String rest = name.substring(this.basePackage.length() + 1);
			int dot = rest.indexOf('.');
			return SliceIdentifier.of((dot < 0) ? rest : rest.substring(0, dot));
		}

		@Override
		public String getDescription() {
			return "the packages directly under " + this.basePackage + " and " + this.basePackage + " itself";
		}

	}

}
