package dev.pgext.model;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FailuresTests {

	@Test
	void aFileSystemFailureThatNamesOnlyItsPathSaysWhatWentWrong() {
		assertThat(Failures.describe(new NoSuchFileException("/nonexistent")))
			.isEqualTo("/nonexistent: no such file or directory");
		assertThat(Failures.describe(new NotDirectoryException("/tmp/afile"))).isEqualTo("/tmp/afile: not a directory");
		assertThat(Failures.describe(new NoSuchFileException("/a", null, "gone"))).isEqualTo("/a: gone");
	}

	@Test
	void aFailureWithoutAMessageIsDescribedByItsCauses() {
		ConnectException refused = new ConnectException();
		refused.initCause(new ConnectException("Connection refused"));
		assertThat(Failures.describe(refused)).isEqualTo("ConnectException (Connection refused)");
		ConnectException unknown = new ConnectException();
		unknown.initCause(new UnresolvedAddressException());
		assertThat(Failures.describe(unknown)).isEqualTo("ConnectException (unknown host)");
		assertThat(Failures.describe(new IOException())).isEqualTo("IOException");
		assertThat(Failures.describe(new IOException("disk full"))).isEqualTo("disk full");
	}

}
