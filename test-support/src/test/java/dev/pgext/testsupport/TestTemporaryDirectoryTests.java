package dev.pgext.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test JVMs' temporary directory as the build's {@code -Dpgext.test.tmpdir} asks
 * ({@code auto} by default): {@code choose-test-tmpdir} picks it and the parent pom puts
 * it on the test JVM's command line.
 */
class TestTemporaryDirectoryTests {

	private static final Path CHOOSER = Path.of("choose-test-tmpdir");

	@Test
	void thisJvmsTemporaryFilesLieWhereTheChooserSays() throws Exception {
		String setting = System.getProperty("pgext.test.tmpdir");
		assertThat(setting).as("the build passes -Dpgext.test.tmpdir").isNotBlank();
		String tmpdir = System.getProperty("java.io.tmpdir");
		Path created = Files.createTempDirectory("pgext-tmpdir-check-");
		try {
			// when the chooser leaves the build's default, it answers the default it is
			// given
			assertThat(choose(setting, tmpdir)).isEqualTo(tmpdir);
			assertThat(created.getParent()).isEqualTo(Path.of(tmpdir));
		}
		finally {
			Files.delete(created);
		}
	}

	@Test
	void aDirectoryIsTakenAsGivenAndNoneIsTheDefault() throws Exception {
		assertThat(choose("/var/tmp/x", "/tmp")).isEqualTo("/var/tmp/x");
		assertThat(choose("", "/tmp")).isEqualTo("/tmp");
	}

	@Test
	void automaticallyOnlyAMemoryFileSystemOfItsOwnIsTaken(@TempDir Path dir) throws Exception {
		assertThat(choose("auto", "/tmp", dir.resolve("missing").toString())).isEqualTo("/tmp");
		// /proc is a file system of another kind
		assertThat(choose("auto", "/tmp", "/proc")).isEqualTo("/tmp");
		// a directory inside a tmpfs is not that tmpfs' mount
		Path memory = Path.of("/dev/shm");
		if (Files.isDirectory(memory) && Files.getFileStore(memory).type().equals("tmpfs")) {
			Path inside = Files.createTempDirectory(memory, "pgext-chooser-");
			try {
				assertThat(choose("auto", "/tmp", inside.toString())).isEqualTo("/tmp");
			}
			finally {
				Files.delete(inside);
			}
		}
	}

	private static String choose(String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("sh", CHOOSER.toAbsolutePath().toString()));
		command.addAll(List.of(arguments));
		Process chooser = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(chooser.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		assertThat(chooser.waitFor()).as(out).isZero();
		return out;
	}

}
