package dev.pgext.local;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work of one service of the local stack in a thread group named after it. Threads a
 * service starts (Tomcat's acceptors and workers, schedulers, its own pools) join the
 * group of the thread that starts them, so every log line they write can be tagged with
 * the service's name ({@link ServiceLogTag}) although all services share one JVM and one
 * logging configuration.
 */
final class ServiceThreads {

	/** The thread group of one service; only its name matters. */
	static final class ServiceGroup extends ThreadGroup {

		ServiceGroup(String service) {
			super(service);
		}

	}

	private ServiceThreads() {
	}

	/**
	 * Runs {@code work} in a thread of {@code service}'s group and waits for its result.
	 */
	static <T> T call(ServiceGroup service, Callable<T> work) {
		AtomicReference<T> result = new AtomicReference<>();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread thread = new Thread(service, () -> {
			try {
				result.set(work.call());
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		}, service.getName() + "-main");
		thread.start();
		try {
			thread.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for " + service.getName(), ex);
		}
		Throwable ex = failure.get();
		if (ex instanceof RuntimeException runtime) {
			throw runtime;
		}
		if (ex instanceof Error error) {
			throw error;
		}
		if (ex != null) {
			throw new IllegalStateException(service.getName() + ": " + ex.getMessage(), ex);
		}
		return result.get();
	}

	/** The service whose group the current thread belongs to, or {@code null}. */
	static String currentService() {
		for (ThreadGroup group = Thread.currentThread().getThreadGroup(); group != null; group = group.getParent()) {
			if (group instanceof ServiceGroup) {
				return group.getName();
			}
		}
		return null;
	}

}
