package dev.pgext.model.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code postmaster.pid} as a postmaster writes it while it starts and once it accepts
 * connections, and the states before it is whole.
 */
class PostmasterLockFileTests {

	@Test
	void aReadyServersLockFileNamesItsProcessDirectoryAndStatus(@TempDir Path data) throws IOException {
		Files.writeString(data.resolve(PostmasterLockFile.NAME),
				"4242\n" + data + "\n1733130000\n5432\n\n127.0.0.1\n  5432001    163840\nready   \n");
		PostmasterLockFile lockFile = PostmasterLockFile.read(data).orElseThrow();
		assertThat(lockFile).isEqualTo(new PostmasterLockFile(4242, data.toString(), "ready"));
		assertThat(lockFile.accepting()).isTrue();
	}

	@Test
	void aStartingServerOrOneWithoutTheStatusLineDoesNotAcceptConnectionsYet(@TempDir Path data) throws IOException {
		Path file = data.resolve(PostmasterLockFile.NAME);
		Files.writeString(file, "4242\n" + data + "\n1733130000\n5432\n\n127.0.0.1\n  5432001    163840\nstarting\n");
		assertThat(PostmasterLockFile.read(data).orElseThrow().accepting()).isFalse();
		Files.writeString(file, "4242\n" + data + "\n");
		assertThat(PostmasterLockFile.read(data).orElseThrow().status()).isEmpty();
		assertThat(PostmasterLockFile.read(data).orElseThrow().accepting()).isFalse();
	}

	@Test
	void noFileAnEmptyOneOrAFirstLineThatIsNoProcessIdIsNoLockFile(@TempDir Path data) throws IOException {
		assertThat(PostmasterLockFile.read(data)).isEmpty();
		Path file = data.resolve(PostmasterLockFile.NAME);
		Files.writeString(file, "");
		assertThat(PostmasterLockFile.read(data)).isEmpty();
		Files.writeString(file, "not a pid\n" + data + "\n");
		assertThat(PostmasterLockFile.read(data)).isEmpty();
	}

}
