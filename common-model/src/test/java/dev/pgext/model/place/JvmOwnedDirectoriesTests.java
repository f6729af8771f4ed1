package dev.pgext.model.place;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Directories named after the JVM that owns them: only those of gone JVMs are removed.
 */
class JvmOwnedDirectoriesTests {

	@Test
	void theOwnerIsReadFromTheNameAfterThePrefix() {
		assertThat(JvmOwnedDirectories.owner("run-123-abc", "run-")).isEqualTo(OptionalLong.of(123));
		assertThat(JvmOwnedDirectories.owner("123", "")).isEqualTo(OptionalLong.of(123));
		assertThat(JvmOwnedDirectories.owner("123-second", "")).isEqualTo(OptionalLong.of(123));
		assertThat(JvmOwnedDirectories.owner("tests-45", "tests-")).isEqualTo(OptionalLong.of(45));
		assertThat(JvmOwnedDirectories.owner("template-15", "run-")).isEmpty();
		assertThat(JvmOwnedDirectories.owner("run-12x", "run-")).isEmpty();
		assertThat(JvmOwnedDirectories.owner("run-", "run-")).isEmpty();
	}

	@Test
	void directoriesOfGoneJvmsAreRemovedAndOthersKept(@TempDir Path root) throws Exception {
		Process gone = new ProcessBuilder("true").start();
		gone.waitFor();
		Path ofGone = Files.createDirectories(root.resolve("run-" + gone.pid() + "-x").resolve("inner"));
		Path ofThis = Files.createDirectories(root.resolve("run-" + ProcessHandle.current().pid() + "-y"));
		Path other = Files.createDirectories(root.resolve("template-15"));

		Path own = JvmOwnedDirectories.own(root, "run-", "-z");

		assertThat(own).isEqualTo(root.resolve("run-" + ProcessHandle.current().pid() + "-z"));
		assertThat(ofGone.getParent()).doesNotExist();
		assertThat(ofThis).exists();
		assertThat(other).exists();
	}

}
