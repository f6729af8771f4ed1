package dev.pgext.registry.publish;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.unit.DataSize;

import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.TestArtifacts;
import dev.pgext.registry.problem.RegistryException;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The reader alone (no HTTP, no multipart): how long refusing an archive of 100,000 empty
 * entries at the entry limit takes. Not part of {@code verify}; run it on purpose:
 *
 * <pre>
 * ./mvnw -B -pl registry-api test -Dtest=ArtifactReaderBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("bench")
class ArtifactReaderBenchmark {

	private static final int ROUNDS = 30;

	@TempDir
	Path temp;

	@Test
	void refusingAHundredThousandEntries() throws IOException {
		byte[] archive = TestArtifacts.manyEmptyFiles(100_000);
		RegistryProperties.Publish limits = new RegistryProperties.Publish(DataSize.ofMegabytes(64),
				DataSize.ofMegabytes(512), 100, DataSize.ofMegabytes(1), 2000, DataSize.ofMegabytes(1), 32, 64, 1000,
				65536, 4, Duration.ofSeconds(5));
		ArtifactReader reader = new ArtifactReader(limits);
		long[] micros = new long[ROUNDS];
		for (int i = 0; i < ROUNDS; i++) {
			Path target = Files.createDirectory(this.temp.resolve("r" + i));
			long start = System.nanoTime();
			assertThatExceptionOfType(RegistryException.class)
				.isThrownBy(() -> reader.read("pg17", new ByteArrayInputStream(archive), target));
			try (Stream<Path> files = Files.walk(target)) {
				files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
			}
			micros[i] = (System.nanoTime() - start) / 1000;
		}
		Arrays.sort(micros);
		System.out.printf(
				"%nArtifactReader, %d-byte archive of 100000 empty entries, limit 2000, %d rounds "
						+ "(extract and delete): p50 %.1f ms, min %.1f ms, max %.1f ms%n%n",
				archive.length, ROUNDS, micros[ROUNDS / 2] / 1000.0, micros[0] / 1000.0, micros[ROUNDS - 1] / 1000.0);
	}

}
