package dev.pgext.model.postgres;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Stopping a postmaster the way an operator would.
 */
public final class PostgresProcesses {

	private PostgresProcesses() {
	}

	/**
	 * Asks the postmaster for a fast shutdown (SIGINT: sessions are ended, a shutdown
	 * checkpoint is written) and waits; kills it only if it is still there after
	 * {@code timeout}.
	 * @return whether it stopped cleanly within the timeout
	 */
	public static boolean stopFast(Process postmaster, Duration timeout) {
		if (!postmaster.isAlive()) {
			return true;
		}
		try {
			new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid())).start().waitFor();
			if (postmaster.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				return true;
			}
		}
		catch (IOException ex) {
			// no kill(1): fall through to a forced stop
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		postmaster.destroyForcibly();
		return false;
	}

}
