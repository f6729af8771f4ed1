package dev.pgext.importer.plan;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.testsupport.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Planning a PGDATA of 100,000 files needs no more heap than a few files: in a JVM of 32
 * MiB the streaming planner plans it, with the jobs the planner that held every file in
 * memory makes (same plan id, which digests every job and task), and that planner runs
 * out of the same heap.
 */
class PlannerSmallHeapTests {

	private static final int FILES = 100_000;

	private static final String HEAP = "-Xmx32m";

	@TempDir
	static Path dir;

	private static Child streaming;

	private static Child inMemory;

	/**
	 * Both planners' JVMs start at once and run side by side, each in its own heap, while
	 * the tests work in this one.
	 */
	@BeforeAll
	static void startBothPlanners() throws Exception {
		streaming = Child.start("streaming");
		inMemory = Child.start("in-memory");
	}

	@AfterAll
	static void stopWhatIsLeft() {
		for (Child child : new Child[] { streaming, inMemory }) {
			if (child != null) {
				child.process().destroyForcibly();
			}
		}
	}

	@Test
	void aHundredThousandFilesArePlannedInA32MibHeapIntoTheJobsOfTheInMemoryPlanner() throws Exception {
		Manifest.Writer writer = Manifest.writer(dir.resolve("reference.json"));
		PlanningMain.listing(FILES,
				(path) -> writer.add(new ManifestEntry(path, PlanningMain.size(path), PlanningMain.ETAG)));
		Manifest manifest = writer.finish();
		InMemoryPlanner.Result held = InMemoryPlanner.plan(manifest.files(), manifest.digest(), PlannerTests.control(),
				new ShardIdentity(0, 1, 2048), 32L << 20, 1, false);
		long tasks = held.jobs().stream().mapToLong((j) -> j.tasks().size()).sum();
		// a block run and a size per relation, the maps, the directories and the control
		// data
		assertThat(tasks).isEqualTo(2L * FILES + 2 + 2 + 1 + 3 + 1 + 2);

		Result child = streaming.result();
		assertThat(child.exit()).as(child.output()).isZero();
		assertThat(child.output()).contains("planned jobs " + held.jobs().size() + " tasks " + tasks + " bytes "
				+ held.jobs().stream().mapToLong(Job::bytes).sum() + " id " + held.id().hex());
	}

	@Test
	void theInMemoryPlannerRunsOutOfTheSameHeap() throws Exception {
		Result child = inMemory.result();
		assertThat(child.exit()).as(child.output()).isNotZero();
		assertThat(child.output()).contains("OutOfMemoryError");
	}

	/** A planner's JVM, its output going to a file. */
	private record Child(Process process, Path output) {

		static Child start(String planner) throws Exception {
			Path output = dir.resolve(planner + ".out");
			List<String> command = new ArrayList<>(ChildJvm.command(HEAP));
			command.addAll(List.of(PlanningMain.class.getName(), planner, dir.resolve(planner).toString(),
					Integer.toString(FILES)));
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			return new Child(process, output);
		}

		Result result() throws Exception {
			assertThat(this.process.waitFor(5, TimeUnit.MINUTES)).isTrue();
			return new Result(this.process.exitValue(), Files.readString(this.output, StandardCharsets.UTF_8));
		}

	}

	private record Result(int exit, String output) {

	}

}
