package dev.pgext.registry.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The job table. Enqueueing joins the caller's transaction, so a job exists exactly when
 * the change that asked for it does. Claims take the oldest due job that no other
 * instance holds ({@code FOR UPDATE SKIP LOCKED}), including running jobs whose lease ran
 * out; completion is fenced by the lease owner, so an instance that lost its lease cannot
 * overwrite the outcome.
 */
@Component
public class JobQueue {

	private final JsonMapper json;

	private final JdbcClient jdbc;

	private final JobProperties properties;

	private final ApplicationEventPublisher events;

	JobQueue(JdbcClient jdbc, JobProperties properties, ApplicationEventPublisher events, JsonMapper json) {
		this.json = json;
		this.jdbc = jdbc;
		this.properties = properties;
		this.events = events;
	}

	/**
	 * Published when a job is enqueued; listeners that wait for the commit see it then.
	 */
	record Enqueued(String kind) {
	}

	/** Enqueues a job to run as soon as an instance is free; returns its id. */
	public long enqueue(String kind, Object payload, String createdBy) {
		this.events.publishEvent(new Enqueued(kind));
		return this.jdbc
			.sql("insert into job (kind, payload, max_attempts, created_by) values (?, cast(? as jsonb), ?, ?) "
					+ "returning id")
			.params(kind, this.json.writeValueAsString(payload), this.properties.maxAttempts(), createdBy)
			.query(Long.class)
			.single();
	}

	/**
	 * Enqueues a job unless one with the same {@code dedupeKey} is still pending, which
	 * then does the work for both; returns the id of the job that will. Joining a pending
	 * job locks it until the caller's transaction ends, so no worker can claim it (and
	 * read the catalog) before the change that asked for it is committed: claims skip
	 * locked rows.
	 */
	public long enqueueOnce(String kind, String dedupeKey, Object payload, String createdBy) {
		this.events.publishEvent(new Enqueued(kind));
		Optional<Long> created = this.jdbc
			.sql("insert into job (kind, dedupe_key, payload, max_attempts, created_by) "
					+ "values (?, ?, cast(? as jsonb), ?, ?) "
					+ "on conflict (dedupe_key) where state = 'pending' and dedupe_key is not null "
					+ "do update set created_by = job.created_by " + "returning id")
			.params(kind, dedupeKey, this.json.writeValueAsString(payload), this.properties.maxAttempts(), createdBy)
			.query(Long.class)
			.optional();
		return created.orElseGet(
				() -> this.jdbc.sql("select id from job where dedupe_key = ? and state = 'pending' order by id limit 1")
					.param(dedupeKey)
					.query(Long.class)
					.optional()
					.orElseGet(() -> enqueueOnce(kind, dedupeKey, payload, createdBy)));
	}

	/**
	 * Enqueues a job of {@code kind} (deduplicated on the kind) unless one is pending or
	 * running, or one finished less than {@code interval} ago. Instances that ask at the
	 * same moment meet at the unique index on pending jobs' keys, so at most one job
	 * results.
	 * @return whether a job was enqueued
	 */
	public boolean enqueueUnlessRecent(String kind, Duration interval, String createdBy) {
		return this.jdbc.sql("""
				insert into job (kind, dedupe_key, payload, max_attempts, created_by)
				select :kind, :kind, '{}', :attempts, :createdBy
				where not exists (select 1 from job where kind = :kind and (state in ('pending', 'running')
				    or finished_at > now() - make_interval(secs => :interval)))
				on conflict (dedupe_key) where state = 'pending' and dedupe_key is not null do nothing
				""")
			.param("kind", kind)
			.param("attempts", this.properties.maxAttempts())
			.param("createdBy", createdBy)
			.param("interval", seconds(interval))
			.update() == 1;
	}

	/** Claims the oldest due job for {@code owner}, if there is one. */
	Optional<Job> claim(String owner) {
		return this.jdbc.sql("""
				update job set state = 'running', attempts = attempts + 1, lease_owner = :owner,
				    lease_until = now() + make_interval(secs => :lease)
				where id = (select id from job
				    where (state = 'pending' and run_at <= now()) or (state = 'running' and lease_until < now())
				    order by run_at, id limit 1 for update skip locked)
				returning id, kind, payload::text, attempts
				""")
			.param("owner", owner)
			.param("lease", seconds(this.properties.lease()))
			.query((rs, n) -> new Job(rs.getLong(1), rs.getString(2), this.json.readTree(rs.getString(3)),
					rs.getInt(4)))
			.optional();
	}

	/**
	 * Records progress and renews the lease; {@code false} when {@code owner} lost it.
	 */
	boolean heartbeat(long id, String owner, Integer percent) {
		return this.jdbc
			.sql("update job set lease_until = now() + make_interval(secs => ?), progress = coalesce(?, progress) "
					+ "where id = ? and state = 'running' and lease_owner = ?")
			.params(seconds(this.properties.lease()), percent, id, owner)
			.update() == 1;
	}

	void succeed(long id, String owner, Object result) {
		this.jdbc
			.sql("update job set state = 'succeeded', progress = 100, result = cast(? as jsonb), last_error = null, "
					+ "lease_owner = null, lease_until = null, finished_at = now() "
					+ "where id = ? and state = 'running' and lease_owner = ?")
			.params(this.json.writeValueAsString(result), id, owner)
			.update();
	}

	/**
	 * Schedules the next attempt after the backoff, or marks the job dead when it has
	 * used its attempts. A deduplicated job that a newer pending one already covers is
	 * superseded instead of retried.
	 */
	void fail(long id, String owner, int attempt, String error) {
		Duration delay = JobProperties.backoff(this.properties.retryBase(), this.properties.retryMax(), attempt);
		try {
			this.jdbc.sql("""
					with covered as (select exists (select 1 from job j, job me where me.id = :id
					    and j.dedupe_key = me.dedupe_key and j.state = 'pending' and j.id <> me.id) as yes)
					update job set last_error = :error, lease_owner = null, lease_until = null,
					    state = case
					        when attempts >= max_attempts then 'dead'
					        when (select yes from covered) then 'superseded'
					        else 'pending' end,
					    finished_at = case when attempts >= max_attempts or (select yes from covered) then now() end,
					    run_at = now() + make_interval(secs => :delay)
					where id = :id and state = 'running' and lease_owner = :owner
					""")
				.param("error", error)
				.param("delay", seconds(delay))
				.param("id", id)
				.param("owner", owner)
				.update();
		}
		catch (DuplicateKeyException ex) {
			// a newer pending job with the same key appeared meanwhile and does the work
			this.jdbc
				.sql("update job set state = 'superseded', last_error = ?, lease_owner = null, "
						+ "lease_until = null, finished_at = now() where id = ? and lease_owner = ?")
				.params(error, id, owner)
				.update();
		}
	}

	/**
	 * Hands a job back untouched when this instance stops in the middle of it: the
	 * attempt does not count, and another instance may take it at once instead of after
	 * the lease.
	 */
	void release(long id, String owner) {
		this.jdbc
			.sql("update job set state = 'pending', attempts = greatest(attempts - 1, 0), lease_owner = null, "
					+ "lease_until = null, run_at = now() where id = ? and state = 'running' and lease_owner = ?")
			.params(id, owner)
			.update();
	}

	/** Deletes finished jobs older than {@code retention}; returns how many. */
	int purge(Duration retention) {
		return this.jdbc
			.sql("delete from job where state in ('succeeded', 'superseded', 'dead') "
					+ "and finished_at < now() - make_interval(secs => ?)")
			.param(seconds(retention))
			.update();
	}

	/** The operation view of job {@code id}. */
	public Optional<Operation> find(long id) {
		return this.jdbc
			.sql("select id, kind, state, progress, attempts, result::text, last_error, created_by, "
					+ "created_at, finished_at from job where id = ?")
			.param(id)
			.query((rs, n) -> new Operation(rs.getLong(1), rs.getString(2), Operation.state(rs.getString(3)),
					rs.getInt(4), rs.getInt(5), (rs.getString(6) != null) ? this.json.readTree(rs.getString(6)) : null,
					"dead".equals(rs.getString(3)) ? rs.getString(7) : null,
					"dead".equals(rs.getString(3)) ? null : rs.getString(7), rs.getString(8),
					rs.getTimestamp(9).toInstant(), instant(rs.getTimestamp(10))))
			.optional();
	}

	private static Instant instant(java.sql.Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	private static double seconds(Duration duration) {
		return duration.toMillis() / 1000.0;
	}

}
