package dev.pgext.cli.publish;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTests {

	private final StringWriter written = new StringWriter();

	@Test
	void outsideATerminalALineIsWrittenEveryTenPercentWithoutCarriageReturns() {
		ProgressBar bar = new ProgressBar(new PrintWriter(this.written), 1000, false);
		for (int i = 0; i < 100; i++) {
			bar.accept(10);
		}
		bar.end();

		assertThat(this.written.toString()).doesNotContain("\r")
			.startsWith("uploading [..............................]   0%  10 B of 1000 B" + System.lineSeparator())
			.endsWith("uploading [##############################] 100%  1000 B of 1000 B" + System.lineSeparator());
		assertThat(this.written.toString().lines()).hasSize(11);
	}

	@Test
	void onATerminalTheBarIsRedrawnInPlaceAndEndedWhenTheUploadStopsPartWay() {
		ProgressBar bar = new ProgressBar(new PrintWriter(this.written), 1000, true);
		bar.accept(500);
		bar.end();

		assertThat(this.written.toString())
			.isEqualTo("\ruploading [###############...............]  50%  500 B of 1000 B" + System.lineSeparator());
	}

}
