package dev.pgext.cli.publish;

import java.io.PrintWriter;
import java.util.function.LongConsumer;

/**
 * A one-line upload progress bar on standard error
 * ({@code [#####.....]  52%  1.3 of 2.5 MB}), redrawn at most once per percent so a slow
 * terminal does not slow the upload.
 */
final class ProgressBar implements LongConsumer {

	private static final int WIDTH = 30;

	private final PrintWriter err;

	private final long total;

	private long done;

	private int shownPercent = -1;

	ProgressBar(PrintWriter err, long total) {
		this.err = err;
		this.total = Math.max(1, total);
	}

	@Override
	public synchronized void accept(long bytes) {
		this.done += bytes;
		int percent = (int) Math.min(100, this.done * 100 / this.total);
		if (percent == this.shownPercent) {
			return;
		}
		this.shownPercent = percent;
		int filled = percent * WIDTH / 100;
		this.err.printf("\ruploading [%s%s] %3d%%  %s of %s", "#".repeat(filled), ".".repeat(WIDTH - filled), percent,
				size(Math.min(this.done, this.total)), size(this.total));
		if (percent == 100) {
			this.err.println();
		}
		this.err.flush();
	}

	/**
	 * Ends a bar the upload left part-way (refused, cut off), so what is printed next
	 * starts on a line of its own.
	 */
	synchronized void end() {
		if (this.shownPercent >= 0 && this.shownPercent < 100) {
			this.err.println();
			this.err.flush();
			this.shownPercent = 100;
		}
	}

	static String size(long bytes) {
		if (bytes < 1024) {
			return bytes + " B";
		}
		if (bytes < 1024 * 1024) {
			return String.format("%.1f KB", bytes / 1024.0);
		}
		return String.format("%.1f MB", bytes / (1024.0 * 1024));
	}

}
