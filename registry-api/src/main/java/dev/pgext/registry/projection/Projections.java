package dev.pgext.registry.projection;

import java.util.Collection;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.registry.jobs.JobQueue;

/**
 * Asks for projections to be brought up to date. Requests join the caller's transaction
 * (the job exists exactly when the change does) and coalesce: while a run of a target is
 * still pending, further requests for it are absorbed by that run, which reads the
 * catalog only when it starts.
 */
@Component
public class Projections {

	/**
	 * Job kind that reconciles one target; payload {@code target}, a
	 * {@link ProjectionTarget#key()}, and {@code full}, whether it compares with the
	 * store itself rather than with what the last run recorded.
	 */
	public static final String RECONCILE = "projection.reconcile";

	/** Job kind that reconciles every target. */
	public static final String RECONCILE_ALL = "projection.reconcile-all";

	private final JobQueue jobs;

	Projections(JobQueue jobs) {
		this.jobs = jobs;
	}

	/** Requests a run of {@code target}; returns the id of the job that will do it. */
	public long request(ProjectionTarget target, String requestedBy) {
		return this.jobs.enqueueOnce(RECONCILE, RECONCILE + ":" + target.key(), Map.of("target", target.key()),
				requestedBy);
	}

	/**
	 * Requests a full run of {@code target}; returns the id of the job that will do it.
	 */
	public long requestFull(ProjectionTarget target, String requestedBy) {
		return this.jobs.enqueueOnce(RECONCILE, RECONCILE + ":" + target.key() + ":full",
				Map.of("target", target.key(), "full", true), requestedBy);
	}

	/**
	 * Requests a run of the seed layout and index of {@code scope} for each of
	 * {@code majors}, on every platform (a run of a platform with nothing to project
	 * writes nothing).
	 */
	public void requestStore(Scope scope, Collection<PgMajor> majors, String requestedBy) {
		majors.stream()
			.distinct()
			.sorted()
			.forEach((major) -> Platform.supported()
				.forEach((platform) -> request(new ProjectionTarget.Store(scope, major, platform), requestedBy)));
	}

	/** Requests a run of the static mirror. */
	public void requestMirror(String requestedBy) {
		request(new ProjectionTarget.Mirror(), requestedBy);
	}

	/** Requests a full reconcile; returns the id of the job that will do it. */
	public long requestAll(String requestedBy) {
		return this.jobs.enqueueOnce(RECONCILE_ALL, RECONCILE_ALL, Map.of(), requestedBy);
	}

}
