package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * A body from the store is given up when its time limit passes.
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

}
