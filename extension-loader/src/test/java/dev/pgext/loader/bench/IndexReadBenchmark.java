package dev.pgext.loader.bench;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.pgext.loader.TestStores;
import dev.pgext.loader.compute.ExtensionCatalog;
import dev.pgext.loader.fetch.IndexText;
import dev.pgext.loader.fetch.SkimmedIndex;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;

/**
 * CPU time of what a start does with the index's bytes before Postgres launches, run on
 * purpose (docs/benchmarks.md has the command): the earlier way (hash the bytes, then
 * bind the whole document into records and narrow it to the preload closure) against the
 * one-pass skim (hash while tokenizing, bind only the preload closure), with SHA-256
 * alone as the floor, at 10 and 10,000 entries. The three alternate in every round; times
 * are this thread's CPU time, so other processes on the machine change them little.
 */
public final class IndexReadBenchmark {

	private static final List<String> PRELOAD = List.of("synthetic_00000", "synthetic_00001");

	private IndexReadBenchmark() {
	}

	public static void main(String[] args) {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 30;
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		Map<String, List<Long>> results = new LinkedHashMap<>();
		for (int size : new int[] { 10, 10_000 }) {
			List<ExtIndexEntry> entries = TestStores.syntheticEntries("synthetic", size);
			byte[] json = ExtIndexJson.write(ExtIndex.of(PgMajor.of(15), null, entries));
			Map<String, Supplier<Object>> ways = new LinkedHashMap<>();
			ways.put("hash, then bind all, then the preload closure", () -> {
				Sha256Digest.of(json);
				return ExtensionCatalog.of(ExtIndexJson.read(json), List.of(), PRELOAD).forLibraries(PRELOAD);
			});
			ways.put("one pass: hash + skim, bind the preload closure", () -> {
				IndexText text = IndexText.read(new ByteArrayInputStream(json), -1);
				return ExtensionCatalog
					.preloadClosure(SkimmedIndex.merge(PgMajor.of(15), null, text, null), List.of(), PRELOAD, false)
					.forLibraries(PRELOAD);
			});
			ways.put("SHA-256 alone", () -> Sha256Digest.of(json));
			for (int round = -10; round < rounds; round++) {
				for (Map.Entry<String, Supplier<Object>> way : ways.entrySet()) {
					long cpu = threads.getCurrentThreadCpuTime();
					Object result = way.getValue().get();
					long micros = (threads.getCurrentThreadCpuTime() - cpu) / 1000;
					if (result == null) {
						throw new IllegalStateException(way.getKey() + " gave nothing");
					}
					if (round >= 0) {
						results
							.computeIfAbsent(
									String.format("%,d entries (%,d KiB): %s", size, json.length / 1024, way.getKey()),
									(key) -> new ArrayList<>())
							.add(micros);
					}
				}
			}
		}
		System.out.printf("load average %.1f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		System.out.println("| what (thread CPU, ms) | median | min | max |");
		System.out.println("|---|---:|---:|---:|");
		results.forEach((name, values) -> {
			long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
			System.out.printf("| %s | %.1f | %.1f | %.1f |%n", name, sorted[sorted.length / 2] / 1000.0,
					sorted[0] / 1000.0, sorted[sorted.length - 1] / 1000.0);
		});
	}

}
