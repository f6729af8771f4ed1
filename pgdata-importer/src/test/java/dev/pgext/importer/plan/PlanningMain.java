package dev.pgext.importer.plan;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;

/**
 * Lists a PGDATA of many one-page relation files into a frozen manifest and plans it, in
 * a JVM of its own so that its heap and RSS are the importer's alone; run by
 * {@link PlannerSmallHeapTests} and {@code PlanningBenchmark}.
 * <p>
 * Arguments: {@code streaming|in-memory <work directory> <files> [<S3 endpoint> <bucket>
 * <prefix>]}. Without an endpoint the listing is generated here, in path order. Prints
 * {@code planned jobs <n> tasks <n> bytes <n> id <hex>} and {@code measured wall-ms <n>
 * cpu-ms <n> heap-peak-mib <n> retained-mib <n> rss-peak-mib <n>} (the heap in use after
 * a collection while the plan is still held).
 */
public final class PlanningMain {

	/** The ETag every generated file has. */
	static final String ETAG = "\"0123456789abcdef0123456789abcdef\"";

	private PlanningMain() {
	}

	public static void main(String[] args) throws Exception {
		long t0 = System.nanoTime();
		boolean streaming = args[0].equals("streaming");
		Path work = Path.of(args[1]);
		int files = Integer.parseInt(args[2]);
		Files.createDirectories(work);
		Manifest.Writer writer = Manifest.writer(work.resolve("import_manifest.json"));
		if (args.length > 3) {
			S3ObjectStore store = S3ObjectStore
				.create(ObjectStoreSettings.of(URI.create(args[3]), args[4], "pgext-local", "pgext-local-secret"));
			String prefix = args[5];
			store.list(prefix, (info) -> writer
				.add(new ManifestEntry(info.key().substring(prefix.length()), info.size(), info.etag())));
		}
		else {
			listing(files, (path) -> writer.add(new ManifestEntry(path, size(path), ETAG)));
		}
		Manifest manifest = writer.finish();
		long jobs = 0;
		long tasks = 0;
		long bytes = 0;
		String id;
		long retained;
		ShardIdentity shard = new ShardIdentity(0, 1, 2048);
		if (streaming) {
			ImportPlan plan = Planner.plan(manifest.files(), manifest.digest(), PlannerTests.control(), shard,
					32L << 20, 1, work.resolve("plan"));
			try (Stream<Job> all = plan.jobs()) {
				for (Job job : (Iterable<Job>) all::iterator) {
					jobs++;
					tasks += job.tasks().size();
					bytes += job.bytes();
				}
			}
			id = plan.id().hex();
			retained = retainedMib(plan);
		}
		else {
			InMemoryPlanner.Result plan = InMemoryPlanner.plan(manifest.files(), manifest.digest(),
					PlannerTests.control(), shard, 32L << 20, 1, false);
			for (Job job : plan.jobs()) {
				jobs++;
				tasks += job.tasks().size();
				bytes += job.bytes();
			}
			id = plan.id().hex();
			retained = retainedMib(plan);
		}
		long wall = (System.nanoTime() - t0) / 1_000_000;
		System.out.println("planned jobs " + jobs + " tasks " + tasks + " bytes " + bytes + " id " + id);
		System.out.println("measured wall-ms " + wall + " cpu-ms " + cpuMillis() + " heap-peak-mib " + heapPeakMib()
				+ " retained-mib " + retained + " rss-peak-mib " + rssPeakMib());
	}

	/**
	 * The heap in use after a collection while {@code plan} is still held: what the plan
	 * keeps, the JVM's own baseline included.
	 */
	private static long retainedMib(Object plan) {
		System.gc();
		System.gc();
		long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
		// the plan stays reachable until the heap was measured
		return (plan != null) ? used >> 20 : -1;
	}

	/**
	 * The paths of a PGDATA of {@code files} one-page relation files in path order, whose
	 * key order is not their path order: {@code base/5/1000000…} list before
	 * {@code base/5/200000…} but are the larger relation numbers.
	 */
	static void listing(int files, Consumer<String> paths) {
		int half = files / 2;
		for (int i = 0; i < half; i++) {
			paths.accept("base/5/" + (1_000_000 + i));
		}
		for (int i = 0; i < files - half; i++) {
			paths.accept("base/5/" + (200_000 + i));
		}
		paths.accept("base/5/pg_filenode.map");
		paths.accept("global/pg_control");
		paths.accept("global/pg_filenode.map");
	}

	/** The size of a generated file. */
	static long size(String path) {
		if (path.endsWith("pg_filenode.map")) {
			return 512;
		}
		return 8192;
	}

	private static long cpuMillis() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime() / 1_000_000;
	}

	/** The sum of the heap pools' peaks (at least the heap's peak). */
	private static long heapPeakMib() {
		long peak = 0;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			if (pool.getType() == MemoryType.HEAP) {
				peak += pool.getPeakUsage().getUsed();
			}
		}
		return peak >> 20;
	}

	private static long rssPeakMib() throws IOException {
		Path status = Path.of("/proc/self/status");
		if (!Files.exists(status)) {
			return -1;
		}
		try (Stream<String> lines = Files.lines(status)) {
			return lines.filter((l) -> l.startsWith("VmHWM:"))
				.map((l) -> Long.parseLong(l.replaceAll("[^0-9]", "")) >> 10)
				.findFirst()
				.orElse(-1L);
		}
	}

}
