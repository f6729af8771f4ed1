package dev.pgext.bundle.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link ScratchSpace}: which directories it refuses, and that the tests'
 * directories lie in this JVM's own one.
 */
class ScratchSpaceTests {

	@Test
	void aDirectoryThatDoesNotExistIsRefused() throws IOException {
		assertThat(ScratchSpace.unsuitable(Path.of("target/no-such-directory"))).isEqualTo("not a writable directory");
	}

	@Test
	void aDiskFileSystemIsRefusedNamingItsType() throws IOException {
		Path target = Path.of("target").toAbsolutePath();
		String type = Files.getFileStore(target).type();
		assumeThat(type).as("the build directory on a disk").isNotEqualTo("tmpfs");
		assertThat(ScratchSpace.unsuitable(target)).isEqualTo("a " + type + " file system, not tmpfs");
	}

	@Test
	void newDirectoriesLieInThisJvmsOwnDirectory() throws IOException {
		Path dir = ScratchSpace.newDirectory("probe-");
		assertThat(dir).isDirectory().hasParent(ScratchSpace.root());
		assertThat(ScratchSpace.root().getFileName().toString()).endsWith("-" + ProcessHandle.current().pid());
	}

}
