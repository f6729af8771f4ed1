package dev.pgext.registry;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.store.ObjectInfo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delay from a publish's commit (its 201 answer) to the new version being visible in
 * the {@code ext_index.json} a loader reads, as one scope and major fills up to 1,000
 * extensions. Not part of {@code verify}; run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl registry-api -am verify -Dtest=ProjectionDelayBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("bench")
class ProjectionDelayBenchmark extends RegistryIntegrationTest {

	private static final int PUBLISHES = 1_000;

	private static final int WINDOW = 100;

	@Test
	void delayFromCommitToAVisibleIndexEntry() throws InterruptedException {
		String indexKey = StoreLayout.extIndex(Scope.PUBLIC, PgMajor.of(16));
		long[] nanos = new long[PUBLISHES];
		for (int i = 0; i < PUBLISHES; i++) {
			String name = "delay_ext_" + i;
			byte[] artifact = TestArtifacts.sqlExtension(name).tarGz();
			RegistryClient.Response response = publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, "1.0.0"),
					Map.of("pg16", artifact));
			long committed = System.nanoTime();
			assertThat(response.status()).as(response.toString()).isEqualTo(201);
			String seenEtag = null;
			while (true) {
				Optional<ObjectInfo> head = this.store.head(indexKey);
				if (head.isPresent() && !head.get().etag().equals(seenEtag)) {
					seenEtag = head.get().etag();
					Optional<byte[]> index = this.store.getBytes(indexKey);
					if (index.isPresent() && ExtIndexJson.read(index.get()).find(name).isPresent()) {
						break;
					}
				}
				assertThat(System.nanoTime() - committed).as("delay of " + name).isLessThan(60_000_000_000L);
				Thread.sleep(5);
			}
			nanos[i] = System.nanoTime() - committed;
		}
		System.out.printf("%n%d publishes of a two-file SQL extension into one scope and major%n%n", PUBLISHES);
		System.out.println("| extensions already in the index | p50 ms | p99 ms | max ms |");
		System.out.println("|---|---|---|---|");
		for (int from = 0; from < PUBLISHES; from += WINDOW) {
			long[] window = Arrays.copyOfRange(nanos, from, Math.min(PUBLISHES, from + WINDOW));
			Arrays.sort(window);
			System.out.printf("| %d–%d | %.1f | %.1f | %.1f |%n", from, from + window.length - 1,
					window[window.length / 2] / 1e6, window[window.length * 99 / 100] / 1e6,
					window[window.length - 1] / 1e6);
		}
		long[] all = nanos.clone();
		Arrays.sort(all);
		System.out.printf("| all | %.1f | %.1f | %.1f |%n", all[all.length / 2] / 1e6, all[all.length * 99 / 100] / 1e6,
				all[all.length - 1] / 1e6);
	}

}
