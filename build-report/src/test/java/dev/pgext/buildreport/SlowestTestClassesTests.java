package dev.pgext.buildreport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.buildreport.SlowestTestClasses.TestClass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SlowestTestClassesTests {

	@TempDir
	Path root;

	@Test
	void theSlowestClassesComeFirstNamedWithTheirModule() throws IOException {
		report("registry-api", "dev.pgext.registry.FastTests", 12, 0, "1.5");
		report("registry-api", "dev.pgext.registry.SlowIntegrationTests", 3, 0, "42.25");
		report("deploy/local", "dev.pgext.local.StackIntegrationTests", 1, 1, "1,200.5");
		report("cli", "dev.pgext.cli.CliTests", 4, 0, "7.0");

		List<TestClass> classes = SlowestTestClasses.collect(this.root, Instant.EPOCH);
		String printed = print(classes, 2);

		assertThat(classes).hasSize(4);
		assertThat(printed.lines().toList()).startsWith(
				"2 slowest test classes (of 4 classes, 20 tests, 1251.3 s of test time in all):",
				"   1200.5 s  deploy/local  StackIntegrationTests (1 test, 1 failed)",
				"     42.3 s  registry-api  SlowIntegrationTests (3 tests)", "Test time per module:",
				"   1200.5 s  deploy/local  1 test in 1 class", "     43.8 s  registry-api  15 tests in 2 classes",
				"      7.0 s  cli           4 tests in 1 class");
	}

	@Test
	void reportsWrittenBeforeTheBuildStartedAreLeftOut() throws IOException {
		Path stale = report("cli", "dev.pgext.cli.StaleTests", 1, 0, "99.0");
		Files.setLastModifiedTime(stale, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
		report("cli", "dev.pgext.cli.FreshTests", 1, 0, "0.5");

		List<TestClass> classes = SlowestTestClasses.collect(this.root, Instant.parse("2021-01-01T00:00:00Z"));

		assertThat(classes).extracting(TestClass::name).containsExactly("dev.pgext.cli.FreshTests");
	}

	@Test
	void reportsOutsideAModulesSurefireDirectoryAreIgnored() throws IOException {
		report("cli", "dev.pgext.cli.CliTests", 1, 0, "0.5");
		Path elsewhere = Files.createDirectories(this.root.resolve("target/tools/node_modules/x/surefire-reports"));
		Files.writeString(elsewhere.resolve("TEST-other.xml"), "not xml");
		Files.writeString(this.root.resolve("cli/target/surefire-reports/dev.pgext.cli.CliTests.txt"), "summary");

		assertThat(SlowestTestClasses.collect(this.root, Instant.EPOCH)).extracting(TestClass::module)
			.containsExactly("cli");
	}

	@Test
	void aBuildWithoutTestsSaysSo() {
		assertThat(print(SlowestTestClasses.collect(this.root, Instant.EPOCH), 10))
			.isEqualTo("No test reports in this build." + System.lineSeparator());
	}

	@Test
	void aReportWithoutATestSuiteIsNamedInTheError() throws IOException {
		Path broken = this.root.resolve("cli/target/surefire-reports/TEST-broken.xml");
		Files.createDirectories(broken.getParent());
		Files.writeString(broken, "<?xml version=\"1.0\"?><nothing/>");

		assertThatIllegalStateException().isThrownBy(() -> SlowestTestClasses.collect(this.root, Instant.EPOCH))
			.withMessageContaining("TEST-broken.xml");
	}

	@Test
	void theClassesUsingTheMostCpuComeWithTheirModulesTestJvms() throws IOException {
		cpu("registry-api", 101, "dev.pgext.registry.AIntegrationTests\t20.50\t1.00\talone\t25.00\t1.00",
				"dev.pgext.registry.BTests\t0.50\t0.00\talone\t26.00\t1.00");
		cpu("registry-api", 102, "dev.pgext.registry.CIntegrationTests\t3.00\t40.00\tshared\t9.00\t40.00");
		cpu("cli", 103, "dev.pgext.cli.CliTests\t7.25\t0.00\talone\t10.00\t0.00");

		SlowestTestClasses.CpuTimes cpu = SlowestTestClasses.collectCpu(this.root, Instant.EPOCH);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		SlowestTestClasses.printCpu(cpu, 2, new PrintStream(bytes, true, StandardCharsets.UTF_8));

		assertThat(cpu.classes()).hasSize(4);
		assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
				"2 test classes using the most CPU (own threads + child processes waited for; 86.0 s of CPU in"
						+ " 3 test JVMs in all):",
				"     43.0 s  registry-api  CIntegrationTests (3.0 + 40.0, beside other classes of its JVM)",
				"     21.5 s  registry-api  AIntegrationTests (20.5 + 1.0)",
				"CPU per module's test JVMs (own threads + child processes waited for):",
				"     76.0 s  registry-api  35.0 + 41.0 in 2 JVMs", "     10.0 s  cli           10.0 + 0.0 in 1 JVM");
	}

	@Test
	void cpuRecordedBeforeTheBuildStartedIsLeftOutAndNoneRecordedPrintsNothing() throws IOException {
		Path stale = cpu("cli", 7, "dev.pgext.cli.CliTests\t7.25\t0.00\talone\t10.00\t0.00");
		Files.setLastModifiedTime(stale, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

		SlowestTestClasses.CpuTimes cpu = SlowestTestClasses.collectCpu(this.root,
				Instant.parse("2021-01-01T00:00:00Z"));
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		SlowestTestClasses.printCpu(cpu, 10, new PrintStream(bytes, true, StandardCharsets.UTF_8));

		assertThat(cpu.classes()).isEmpty();
		assertThat(bytes.size()).isZero();
	}

	@Test
	void aCpuLineOfAnotherShapeIsNamedInTheError() throws IOException {
		cpu("cli", 8, "dev.pgext.cli.CliTests\t7.25");

		assertThatIllegalStateException().isThrownBy(() -> SlowestTestClasses.collectCpu(this.root, Instant.EPOCH))
			.withMessageContaining("8.tsv");
	}

	private Path cpu(String module, long pid, String... lines) throws IOException {
		Path file = this.root.resolve(module).resolve("target/test-cpu/" + pid + ".tsv");
		Files.createDirectories(file.getParent());
		Files.writeString(file, String.join("\n", lines) + "\n");
		return file;
	}

	private Path report(String module, String name, int tests, int failures, String time) throws IOException {
		Path file = this.root.resolve(module).resolve("target/surefire-reports/TEST-" + name + ".xml");
		Files.createDirectories(file.getParent());
		Files.writeString(file,
				"""
						<?xml version="1.0" encoding="UTF-8"?>
						<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="%s" time="%s" tests="%d" errors="0" skipped="0" failures="%d">
						  <properties><property name="java.version" value="17"/></properties>
						  <testcase name="works" classname="%s" time="0.1"/>
						</testsuite>
						"""
					.formatted(name, time, tests, failures, name));
		return file;
	}

	private static String print(List<TestClass> classes, int limit) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		SlowestTestClasses.print(classes, limit, new PrintStream(bytes, true, StandardCharsets.UTF_8));
		return bytes.toString(StandardCharsets.UTF_8);
	}

}
