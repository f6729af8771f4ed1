package dev.pgext.registry;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publish latency as one scope and major fill up. The request writes the catalog and
 * blobs only; the scope's {@code ext_index.json} follows in the background (its delay is
 * what {@link ProjectionDelayBenchmark} measures). Not part of {@code verify}; run it on
 * purpose:
 *
 * <pre>
 * ./mvnw -B -pl registry-api test -Dtest=PublishBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("bench")
class PublishBenchmark extends RegistryIntegrationTest {

	private static final int PUBLISHES = 1_000;

	private static final int WINDOW = 100;

	@Test
	void publishLatencyAsTheIndexGrows() {
		long[] nanos = new long[PUBLISHES];
		for (int i = 0; i < PUBLISHES; i++) {
			String name = "bench_ext_" + i;
			byte[] artifact = TestArtifacts.sqlExtension(name).tarGz();
			long start = System.nanoTime();
			RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, "1.0"),
					Map.of("pg16", artifact));
			nanos[i] = System.nanoTime() - start;
			assertThat(response.status()).as(response.toString()).isEqualTo(201);
		}
		awaitProjections();
		int indexBytes = this.store.getBytes("16/ext_index.json").orElseThrow().length;
		System.out.printf("%n%d publishes of a two-file SQL extension into one scope and major; index now %d bytes%n%n",
				PUBLISHES, indexBytes);
		System.out.println("| extensions already in the index | mean ms | p50 ms | p95 ms |");
		System.out.println("|---|---|---|---|");
		for (int from = 0; from < PUBLISHES; from += WINDOW * 3) {
			long[] window = Arrays.copyOfRange(nanos, from, Math.min(PUBLISHES, from + WINDOW));
			Arrays.sort(window);
			System.out.printf("| %d–%d | %.1f | %.1f | %.1f |%n", from, from + window.length - 1,
					Arrays.stream(window).average().orElse(0) / 1e6, window[window.length / 2] / 1e6,
					window[window.length * 95 / 100] / 1e6);
		}
	}

}
