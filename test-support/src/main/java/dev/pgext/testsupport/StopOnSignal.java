package dev.pgext.testsupport;

import sun.misc.Signal;

/**
 * Makes a local run (the local stack, the registry's {@code test-run}) end with exit
 * status 0 when it is asked to stop with SIGINT (Ctrl-C) or SIGTERM. The JVM's own
 * handlers end it with 130 or 143; {@code spring-boot:run} accepts 130 but reports 143 as
 * a failed build, and it sends SIGTERM itself when the application is still stopping five
 * seconds after a Ctrl-C. Shutdown hooks run as usual: {@link System#exit(int)} runs
 * them.
 */
public final class StopOnSignal {

	private StopOnSignal() {
	}

	/** Replaces the JVM's handlers of SIGINT and SIGTERM with a clean exit. */
	public static void install() {
		for (String name : new String[] { "INT", "TERM" }) {
			// System.exit blocks while shutdown hooks run, so a second signal waits for
			// the first stop
			Signal.handle(new Signal(name), (signal) -> System.exit(0));
		}
	}

}
