package dev.pgext.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How fast and with how much memory an archive of 100,000 empty entries is refused (the
 * registry stops at {@code max-entries}), one at a time and four at once. The registry
 * runs in this JVM, so its resident set is this process's. Not part of {@code verify};
 * run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl registry-api test -Dtest=ArchiveLimitBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("bench")
class ArchiveLimitBenchmark extends RegistryIntegrationTest {

	private static final int ROUNDS = 20;

	@Test
	void aHundredThousandEntriesAreRefusedQuicklyWithFlatMemory() {
		byte[] archive = TestArtifacts.manyEmptyFiles(100_000);
		long rssBefore = rssKiB();
		long[] millis = new long[ROUNDS];
		for (int i = 0; i < ROUNDS; i++) {
			long start = System.nanoTime();
			RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata("bench_many", "1.0.0"),
					Map.of("pg17", archive));
			millis[i] = (System.nanoTime() - start) / 1_000_000;
			assertThat(response.status()).isEqualTo(422);
		}
		long rssAfterSerial = rssKiB();
		long start = System.nanoTime();
		List<CompletableFuture<Integer>> parallel = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			parallel.add(CompletableFuture.supplyAsync(() -> publish(ADMIN_TOKEN, null,
					TestArtifacts.metadata("bench_many", "1.0.0"), Map.of("pg17", archive))
				.status()));
		}
		parallel.forEach((future) -> assertThat(future.join()).isEqualTo(422));
		long parallelMillis = (System.nanoTime() - start) / 1_000_000;
		long rssAfterParallel = rssKiB();
		Arrays.sort(millis);
		System.out.printf(
				"%n%d-byte .tar.gz of 100000 entries, %d serial publishes: p50 %d ms, max %d ms; "
						+ "4 at once: %d ms for all; RSS %d MiB before, %d MiB after serial, %d MiB after parallel%n%n",
				archive.length, ROUNDS, millis[ROUNDS / 2], millis[ROUNDS - 1], parallelMillis, rssBefore / 1024,
				rssAfterSerial / 1024, rssAfterParallel / 1024);
	}

	private static long rssKiB() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("\\D", ""));
				}
			}
			return -1;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
