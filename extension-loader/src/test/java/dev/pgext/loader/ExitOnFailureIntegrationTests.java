package dev.pgext.loader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code pgext.loader.exit-on-failure}, a loader whose compute failed (here: its
 * store does not answer) does not stay up reporting it: it exits with status 1 and says
 * why, so that the supervisor that runs it starts a fresh one.
 */
class ExitOnFailureIntegrationTests {

	@Test
	void aLoaderWhoseComputeFailedExitsForItsSupervisorToRestartIt(@TempDir Path dir) throws Exception {
		Path spec = dir.resolve("spec.json");
		Files.writeString(spec, """
				{"pg_major": 15, "install_dir": "%s", "data_dir": "%s", "port": 5999}
				""".formatted(dir.resolve("install"), dir.resolve("data")));
		Path log = dir.resolve("loader.log");
		try (ChildLoader loader = ChildLoader.start(List.of("pgext.loader.spec-file=" + spec,
				"pgext.loader.s3.endpoint=http://127.0.0.1:9", "pgext.loader.s3.bucket=unreachable",
				"pgext.loader.s3.access-key=x", "pgext.loader.s3.secret-key=y", "pgext.loader.s3.initial-backoff=10ms",
				"pgext.loader.exit-on-failure=true"), log)) {
			// a JVM's start and the store's retries: seconds, minutes on a busy machine
			assertThat(loader.awaitExit(Duration.ofMinutes(3))).as(() -> read(log)).hasValue(1);
		}
		assertThat(read(log)).contains("start-up failed").contains("the loader exits (pgext.loader.exit-on-failure)");
	}

	private static String read(Path log) {
		try {
			return Files.readString(log);
		}
		catch (java.io.IOException ex) {
			return ex.toString();
		}
	}

}
