package dev.pgext.importer;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgext.importer.keyspace.Key;
import dev.pgext.importer.keyspace.Keys;
import dev.pgext.importer.layer.ImageLayerWriter;
import dev.pgext.importer.pgdata.PageVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CPU time per GiB of the importer's own work on pages already in memory, without any S3:
 * verifying pages, and writing a layer file (CRC-32C, SHA-256, and the values stored raw
 * or compressed with zstd at several levels). Reads the relation segments of the PGDATA
 * {@link PgdataImportBenchmark} leaves in {@code target/bench/pgdata} (run that first).
 * Counts the CPU time of the measuring thread only, which the load of the machine changes
 * much less than wall time. Not part of {@code verify}; run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl pgdata-importer -am test -Dtest=LayerWriteBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.redirectTestOutputToFile=false
 * </pre>
 */
class LayerWriteBenchmark {

	private static final int PAGE = 8192;

	private static final long BYTES = 768L << 20;

	@Test
	void cpuPerGibOfTheImportersOwnWork() throws Exception {
		Path pgdata = Path.of("target", "bench", "pgdata").toAbsolutePath();
		assertThat(pgdata.resolve("global/pg_control")).as("run PgdataImportBenchmark first").exists();
		List<Path> segments;
		try (var files = Files.walk(pgdata.resolve("base"))) {
			segments = files.filter((f) -> f.getFileName().toString().matches("[0-9]+(\\.[0-9]+)?"))
				.filter((f) -> f.toFile().length() >= (64L << 20))
				.sorted()
				.toList();
		}
		Path layer = pgdata.resolveSibling("layer-write-benchmark.layer");
		try {
			// the first pass warms the JIT up; the later ones are reported
			for (int pass = 1; pass <= 2; pass++) {
				for (int level : new int[] { 0, -5, -1, 1, 3 }) {
					long[] r = write(segments, layer, level);
					if (pass == 2) {
						log("layer writer, zstd level %d: %.2f CPU s per GiB of pages, layer %.0f%% of the pages",
								level, r[0] / 1e9 / (r[1] / (double) (1L << 30)), 100.0 * r[2] / r[1]);
					}
				}
				long[] v = verify(segments);
				if (pass == 2) {
					log("page verification: %.2f CPU s per GiB of pages", v[0] / 1e9 / (v[1] / (double) (1L << 30)));
				}
			}
		}
		finally {
			Files.deleteIfExists(layer);
		}
	}

	/** CPU nanoseconds, page bytes and layer bytes. */
	private static long[] write(List<Path> segments, Path layer, int level) throws Exception {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		byte[] range = new byte[4 << 20];
		long pages = 0;
		long size;
		long cpu = 0;
		try (ImageLayerWriter writer = new ImageLayerWriter(layer, Key.MIN, Key.MAX, 1, level)) {
			Key key = Keys.relBlock(1663, 5, 16384, 0, 0);
			for (Path segment : segments) {
				try (InputStream in = Files.newInputStream(segment)) {
					int n;
					while (pages < BYTES && (n = in.readNBytes(range, 0, range.length)) > 0) {
						long start = threads.getCurrentThreadCpuTime();
						for (int at = 0; at + PAGE <= n; at += PAGE) {
							writer.put(key, range, at, PAGE);
							key = key.plusBlocks(1);
						}
						cpu += threads.getCurrentThreadCpuTime() - start;
						pages += n;
					}
				}
			}
			long start = threads.getCurrentThreadCpuTime();
			size = writer.finish();
			cpu += threads.getCurrentThreadCpuTime() - start;
		}
		return new long[] { cpu, pages, size };
	}

	/** CPU nanoseconds and page bytes. */
	private static long[] verify(List<Path> segments) throws Exception {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		PageVerifier verifier = new PageVerifier(Long.MAX_VALUE, false);
		byte[] range = new byte[4 << 20];
		long pages = 0;
		long cpu = 0;
		for (Path segment : segments) {
			long block = 0;
			try (InputStream in = Files.newInputStream(segment)) {
				int n;
				while (pages < BYTES && (n = in.readNBytes(range, 0, range.length)) > 0) {
					long start = threads.getCurrentThreadCpuTime();
					for (int at = 0; at + PAGE <= n; at += PAGE) {
						verifier.verify(range, at, block++, segment.getFileName().toString());
					}
					cpu += threads.getCurrentThreadCpuTime() - start;
					pages += n;
				}
			}
		}
		return new long[] { cpu, pages };
	}

	private static void log(String format, Object... args) {
		System.out.println("BENCH " + String.format(format, args));
	}

}
