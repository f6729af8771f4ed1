package dev.pgext.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestDescriptor.Type;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CPU time of each test class, as the build's report reads it.
 */
class TestClassCpuTests {

	@TempDir
	Path module;

	@Test
	void theTimesAreTheFieldsAfterTheCommandNameEvenWhenItHoldsSpacesAndParentheses() {
		String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 56 78 9 20 0 40 0 100 0 0";

		TestClassCpu.Times times = TestClassCpu.Times.parse(stat);

		assertThat(times.own()).isEqualTo(1234 + 56);
		assertThat(times.children()).isEqualTo(78 + 9);
	}

	@Test
	void eachClassGetsALineWithItsOwnAndItsChildrenCpuAndWhetherItRanBesideAnother() throws Exception {
		Files.createDirectories(this.module.resolve("target"));
		TestClassCpu listener = new TestClassCpu(this.module);
		TestIdentifier first = testClass("dev.pgext.x.FirstTests");
		TestIdentifier second = testClass("dev.pgext.x.SecondTests");
		TestIdentifier third = testClass("dev.pgext.x.ThirdTests");
		TestIdentifier method = TestIdentifier.from(new Descriptor(UniqueId.root("method", "m"),
				MethodSource.from("dev.pgext.x.ThirdTests", "works"), Type.TEST));

		listener.executionStarted(first);
		listener.executionStarted(second);
		listener.executionFinished(second, TestExecutionResult.successful());
		listener.executionFinished(first, TestExecutionResult.successful());
		listener.executionStarted(third);
		listener.executionStarted(method);
		// work in a child process this JVM waits for
		Process child = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").start();
		assertThat(child.waitFor()).isZero();
		listener.executionFinished(method, TestExecutionResult.successful());
		listener.executionFinished(third, TestExecutionResult.successful());

		List<String[]> lines = Files
			.readAllLines(this.module.resolve(TestClassCpu.DIRECTORY).resolve(ProcessHandle.current().pid() + ".tsv"))
			.stream()
			.map((line) -> line.split("\t"))
			.toList();
		assertThat(lines).extracting((fields) -> fields[0])
			.containsExactly("dev.pgext.x.SecondTests", "dev.pgext.x.FirstTests", "dev.pgext.x.ThirdTests");
		assertThat(lines).extracting((fields) -> fields[3]).containsExactly("shared", "shared", "alone");
		assertThat(lines).allSatisfy((fields) -> {
			assertThat(fields).hasSize(6);
			assertThat(Double.parseDouble(fields[1])).isNotNegative()
				.isLessThanOrEqualTo(Double.parseDouble(fields[4]));
			assertThat(Double.parseDouble(fields[2])).isNotNegative()
				.isLessThanOrEqualTo(Double.parseDouble(fields[5]));
		});
		// the shell's loop is counted for the class that waited for it
		assertThat(Double.parseDouble(lines.get(2)[2])).isPositive();
	}

	@Test
	void nothingIsWrittenWithoutATargetDirectory() {
		TestClassCpu listener = new TestClassCpu(this.module);
		TestIdentifier only = testClass("dev.pgext.x.OnlyTests");

		listener.executionStarted(only);
		listener.executionFinished(only, TestExecutionResult.successful());

		assertThat(this.module.resolve("target")).doesNotExist();
	}

	private static TestIdentifier testClass(String name) {
		return TestIdentifier
			.from(new Descriptor(UniqueId.root("class", name), ClassSource.from(name), Type.CONTAINER));
	}

	private static final class Descriptor extends AbstractTestDescriptor {

		private final Type type;

		Descriptor(UniqueId id, TestSource source, Type type) {
			super(id, id.getLastSegment().getValue(), source);
			this.type = type;
		}

		@Override
		public Type getType() {
			return this.type;
		}

	}

}
