package dev.pgext.registry.jobs;

/**
 * Does the work of one kind of job. A job runs at least once: after a lost lease another
 * instance runs it again, so handlers are idempotent.
 */
public interface JobHandler {

	/** The job kind this handler runs. */
	String kind();

	/**
	 * Runs {@code job}; the returned value (a record, map or {@code null}) becomes the
	 * operation's result. Throwing schedules another attempt.
	 */
	Object run(Job job, Progress progress) throws Exception;

	/**
	 * Reports how far a job has come.
	 */
	@FunctionalInterface
	interface Progress {

		/** Records {@code percent} (0 to 100) done; also renews the lease. */
		void report(int percent);

	}

}
