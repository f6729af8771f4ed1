package dev.pgext.loader.fetch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * A body from the store is given up when it has kept its reader waiting past its time
 * limit, and not when its reader takes its time.
 */
class ReadDeadlineTests {

	@Test
	void aReadBlockedPastTheLimitFailsNamingTheProperty() {
		InputStream stalled = new InputStream() {

			private final CountDownLatch closed = new CountDownLatch(1);

			@Override
			public int read() throws IOException {
				try {
					this.closed.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				throw new IOException("closed");
			}

			@Override
			public void close() {
				this.closed.countDown();
			}

		};
		InputStream body = ReadDeadline.of(stalled, "15/ext_index.json", Duration.ofMillis(200));
		assertThatIOException().isThrownBy(body::read)
			.withMessageContaining("15/ext_index.json")
			.withMessageContaining("pgext.loader.s3-read-timeout");
	}

	@Test
	void aBodyReadSlowlyByItsReaderOutlastsTheLimit() throws Exception {
		byte[] bytes = new byte[4];
		InputStream body = ReadDeadline.of(new ByteArrayInputStream(bytes), "15/big.so", Duration.ofMillis(100));
		int read = 0;
		// the reader pauses (as the background bandwidth limit makes it) three times as
		// long as the limit in all; the store never keeps it waiting
		while (body.read() >= 0) {
			read++;
			Thread.sleep(75);
		}
		body.close();
		assertThat(read).isEqualTo(4);
	}

	@Test
	void aBodyReadInManySmallReadsIsWatchedByOneTaskGoneOnceClosed() throws IOException {
		int before = ReadDeadline.pendingWatches();
		InputStream body = ReadDeadline.of(new ByteArrayInputStream(new byte[100_000]), "15/lib.so",
				Duration.ofMinutes(5));
		while (body.read() >= 0) {
			// one byte at a time, as a careless reader would
		}
		assertThat(ReadDeadline.pendingWatches()).isEqualTo(before + 1);
		body.close();
		assertThat(ReadDeadline.pendingWatches()).isEqualTo(before);
	}

}
