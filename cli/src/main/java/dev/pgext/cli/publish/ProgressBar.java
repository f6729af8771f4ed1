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

	private final boolean terminal;

	/**
	 * @param terminal whether standard error is a terminal: there the bar is redrawn in
	 * place ({@code \r}); elsewhere (a CI log, a file) a line is written every 10 %
	 */
	ProgressBar(PrintWriter err, long total, boolean terminal) {
		this.err = err;
		this.total = Math.max(1, total);
		this.terminal = terminal;
	}

	@Override
	public synchronized void accept(long bytes) {
		this.done += bytes;
		int percent = (int) Math.min(100, this.done * 100 / this.total);
		if (!this.terminal) {
			percent = (percent == 100) ? 100 : percent / 10 * 10;
		}
		if (percent == this.shownPercent) {
			return;
		}
		this.shownPercent = percent;
		int filled = percent * WIDTH / 100;
		this.err.printf("%suploading [%s%s] %3d%%  %s of %s", this.terminal ? "\r" : "", "#".repeat(filled),
				".".repeat(WIDTH - filled), percent, size(Math.min(this.done, this.total)), size(this.total));
		if (percent == 100 || !this.terminal) {
			this.err.println();
		}
		this.err.flush();
	}

	/**
	 * Ends a bar the upload left part-way (refused, cut off), so what is printed next
	 * starts on a line of its own.
	 */
	synchronized void end() {
		if (this.terminal && this.shownPercent >= 0 && this.shownPercent < 100) {
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
