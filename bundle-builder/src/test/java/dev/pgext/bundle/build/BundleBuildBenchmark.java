package dev.pgext.bundle.build;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.pgext.bundle.archive.BundleArchive;
import dev.pgext.bundle.archive.BundleManifest.BuilderInfo;
import dev.pgext.bundle.archive.BundleManifest.Variant;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.bundle.archive.FileEntry;
import dev.pgext.model.PgMajor;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresBinaries;

/**
 * Build time and size of a three-major bundle against plain
 * {@code tar --sort=name | zstd} of the same files, in one run. Not a test (surefire does
 * not pick it up); run it as docs/benchmarks.md says. Arguments: the PG majors (default
 * 15 16 17).
 */
public final class BundleBuildBenchmark {

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private BundleBuildBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		List<Integer> majors = new ArrayList<>();
		for (String arg : args) {
			majors.add(Integer.parseInt(arg));
		}
		if (majors.isEmpty()) {
			majors = List.of(15, 16, 17);
		}
		List<Path> inputs = majors.stream().map((m) -> PostgresBinaries.locate(new PgMajor(m)).jar()).toList();
		Path work = Files.createTempDirectory("pgext-bundle-bench-");
		try {
			System.out.printf("inputs: %s%n", inputs.stream().map(Path::getFileName).toList());
			long extractStart = System.nanoTime();
			long extractCpu = THREADS.getCurrentThreadCpuTime();
			for (Path jar : inputs) {
				PostgresBinaries.extract(PostgresBinaries.artifact(jar), work.resolve("jar-" + jar.getFileName()));
			}
			System.out.printf("extracting the input jars alone (xz, part of every build): %.1f s, cpu %.1f s%n",
					(System.nanoTime() - extractStart) / 1e9, (THREADS.getCurrentThreadCpuTime() - extractCpu) / 1e9);
			for (int level : new int[] { 3, 12 }) {
				BundleBuilder builder = new BundleBuilder(new BuilderInfo("pgext bundle-builder", "bench"),
						TestBundles.HOST_LIBRARY_DIRS, List.of(Path.of("/usr/lib/x86_64-linux-gnu/gconv")), level,
						List.of(ChrootUser.NOBODY));
				long start = System.nanoTime();
				long cpu = THREADS.getCurrentThreadCpuTime();
				BundleBuilder.Result result = builder
					.build(new BundleBuilder.Request(inputs, Variant.CHROOT, work.resolve("out-" + level), 0));
				double seconds = (System.nanoTime() - start) / 1e9;
				double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9;
				System.out.printf("bundle-builder build, zstd level %d: %.1f s, cpu %.1f s, %.1f MB (%d entries)%n",
						level, seconds, cpuSeconds, result.size() / 1e6, result.manifest().files().size());
				if (level == 3) {
					Path tree = TestBundles.extract(result.file(), work.resolve("tree"));
					System.out.printf("uncompressed tree (regular files): %.1f MB%n", treeSize(tree) / 1e6);
					// packing alone: the same tree, the archive writer at the default
					// level, entries
					// (and their digests) listed beforehand as the build lists them for
					// bundle.json
					List<FileEntry> entries = BundleTree.scan(tree);
					long packStart = System.nanoTime();
					long packCpu = THREADS.getCurrentThreadCpuTime();
					try (OutputStream out = Files.newOutputStream(work.resolve("packed.tar.zst"))) {
						BundleArchive.write(tree, entries, 0, 12, out);
					}
					System.out.printf(
							"packing alone (BundleArchive.write, zstd level 12, window 2^27): %.1f s, cpu %.1f s, "
									+ "%.1f MB%n",
							(System.nanoTime() - packStart) / 1e9, (THREADS.getCurrentThreadCpuTime() - packCpu) / 1e9,
							Files.size(work.resolve("packed.tar.zst")) / 1e6);
					for (String zstd : List.of("zstd -3 -T1", "zstd -12 -T1", "zstd -12 --long=27 -T1")) {
						String command = "TIMEFORMAT='%R %U %S'; time (tar --sort=name --mtime=@0 --owner=0 --group=0 "
								+ "--numeric-owner -C " + tree + " -cf - . | " + zstd + " -q -o "
								+ work.resolve("plain.tar.zst") + " -f)";
						Process process = new ProcessBuilder("bash", "-c", command).start();
						String[] times = new String(process.getErrorStream().readAllBytes()).strip().split("\\s+");
						if (process.waitFor() != 0 || times.length != 3) {
							throw new IllegalStateException(command + " failed: " + String.join(" ", times));
						}
						System.out.printf("tar --sort=name | %s: %s s, cpu %.1f s, %.1f MB%n", zstd, times[0],
								Double.parseDouble(times[1]) + Double.parseDouble(times[2]),
								Files.size(work.resolve("plain.tar.zst")) / 1e6);
					}
				}
			}
		}
		finally {
			FileTrees.delete(work);
		}
	}

	private static long treeSize(Path tree) throws Exception {
		try (var paths = Files.walk(tree)) {
			long total = 0;
			for (Path p : paths.filter((p) -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
				.toList()) {
				total += Files.size(p);
			}
			return total;
		}
	}

}
