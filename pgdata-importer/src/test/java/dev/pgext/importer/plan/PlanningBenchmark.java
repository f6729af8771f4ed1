package dev.pgext.importer.plan;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import org.springframework.util.FileSystemUtils;

import dev.pgext.testsupport.EmbeddedS3Server;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lists N one-page relation files through the S3 protocol of an in-process s3proxy and
 * plans them, with the streaming planner and the planner that held every file in memory
 * side by side: each in a JVM of its own ({@link PlanningMain}) started at the same
 * moment, listing from the same server, which reports its wall time, CPU time, peak heap
 * and peak RSS. The objects are kept in s3proxy's in-memory store (its file-system store
 * walks the whole prefix for every page of 1000 keys) and put into it directly, not over
 * HTTP. Not part of {@code verify}; run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl pgdata-importer -am test -Dtest=PlanningBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.objects=100000 -Dbench.heap=-Xmx1g -Dbench.rounds=2 -DargLine=-Xmx2g
 * </pre>
 */
class PlanningBenchmark {

	private static final String BUCKET = "planning";

	private static final String PREFIX = "import/pgdata/";

	@Test
	void listingAndPlanningManyObjectsThroughS3() throws Exception {
		int files = Integer.getInteger("bench.objects", 100_000);
		int rounds = Integer.getInteger("bench.rounds", 1);
		String heap = System.getProperty("bench.heap", "-Xmx1g");
		BlobStore store = new TransientNio2BlobStore();
		store.createContainer(BUCKET);
		long t0 = System.nanoTime();
		byte[] page = new byte[8192];
		PlanningMain.listing(files, (path) -> {
			int size = (int) PlanningMain.size(path);
			store.putBlob(
					PutObjectRequest.builder().bucket(BUCKET).key(PREFIX + path).contentLength((long) size).build(),
					new ByteArrayInputStream(page, 0, size));
		});
		log("put %d objects into the in-memory store: %.1f s", files, (System.nanoTime() - t0) / 1e9);
		try (EmbeddedS3Server s3 = EmbeddedS3Server.serving(store, 0)) {
			String endpoint = s3.endpoint().toString();
			Path work = Files.createTempDirectory(Path.of("target"), "bench-planning-");
			try {
				runRounds(rounds, files, heap, endpoint, work);
			}
			finally {
				FileSystemUtils.deleteRecursively(work);
			}
		}
	}

	private static void runRounds(int rounds, int files, String heap, String endpoint, Path work) throws Exception {
		for (int round = 1; round <= rounds; round++) {
			log("round %d, load average %s", round, loadAverage());
			List<Process> children = new ArrayList<>();
			for (String planner : List.of("streaming", "in-memory")) {
				children.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
						heap, "-cp", System.getProperty("java.class.path"), PlanningMain.class.getName(), planner,
						work.resolve(planner + "-" + round).toString(), Integer.toString(files), endpoint, BUCKET,
						PREFIX)
					.redirectErrorStream(true)
					.redirectOutput(work.resolve(planner + "-" + round + ".log").toFile())
					.start());
			}
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < children.size(); i++) {
				Process child = children.get(i);
				assertThat(child.waitFor(60, TimeUnit.MINUTES)).isTrue();
				String output = Files
					.readString(work.resolve(((i == 0) ? "streaming" : "in-memory") + "-" + round + ".log"));
				assertThat(child.exitValue()).as(output).isZero();
				String planned = line(output, "planned ");
				ids.add(planned.substring(planned.indexOf(" id ") + 4));
				log("%s, %s: %s; %s", (i == 0) ? "streaming" : "in-memory", heap, line(output, "measured "), planned);
			}
			assertThat(ids.get(0)).isEqualTo(ids.get(1));
			log("round %d done, load average %s", round, loadAverage());
		}
	}

	private static String line(String output, String prefix) {
		return output.lines().filter((l) -> l.startsWith(prefix)).findFirst().orElseThrow();
	}

	private static String loadAverage() throws Exception {
		return Files.readString(Path.of("/proc/loadavg")).trim();
	}

	private static void log(String format, Object... args) {
		System.out.println("BENCH " + String.format(format, args));
	}

}
