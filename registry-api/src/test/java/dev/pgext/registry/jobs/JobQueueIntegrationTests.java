package dev.pgext.registry.jobs;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgext.registry.RegistryIntegrationTest;
import dev.pgext.registry.projection.Projections;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job table under the running registry: a job whose instance died is taken over once
 * its lease runs out, the dead instance can no longer record an outcome, and a job that
 * keeps failing ends dead with its error after its attempts, visible as a failed
 * operation.
 */
class JobQueueIntegrationTests extends RegistryIntegrationTest {

	/**
	 * A real job that succeeds and costs little: the run of one projection target, a
	 * tenant's store for PostgreSQL 15, which holds nothing (a reconcile of every target,
	 * which these tests used before, lists and compares the whole store each time).
	 */
	private static final Map<String, Object> EMPTY_TARGET = Map.of("target", "store:jobqueue/15");

	@Autowired
	private JobQueue queue;

	@Autowired
	private TransactionTemplate transaction;

	@Test
	void aJobOfAKilledInstanceIsTakenOverAfterItsLeaseAndTheDeadOwnerIsFencedOff() {
		long id = this.queue.enqueue(Projections.RECONCILE, EMPTY_TARGET, "admin");
		// what a killed instance leaves behind: a running job with a lease that ran out
		this.jdbc
			.sql("update job set state = 'running', attempts = 1, lease_owner = 'killed-instance', "
					+ "lease_until = now() - interval '1 second' where id = ?")
			.param(id)
			.update();

		JsonNode operation = awaitOperation("/api/v1/operations/" + id, ADMIN_TOKEN);
		assertThat(operation.path("state").asString()).as(operation.toString()).isEqualTo("succeeded");
		assertThat(operation.path("attempts").asInt()).isEqualTo(2);

		this.queue.fail(id, "killed-instance", 1, "late failure report");
		assertThat(this.queue.find(id).orElseThrow().state()).isEqualTo("succeeded");
	}

	@Test
	void aLiveLeaseIsNotTakenOver() {
		long id = this.queue.enqueue(Projections.RECONCILE, EMPTY_TARGET, "admin");
		this.jdbc
			.sql("update job set state = 'running', attempts = 1, lease_owner = 'busy-instance', "
					+ "lease_until = now() + interval '1 hour' where id = ?")
			.param(id)
			.update();
		Optional<Job> claimed = this.queue.claim("test-instance");
		assertThat(claimed.map(Job::id)).isNotEqualTo(Optional.of(id));
		claimed.ifPresent((job) -> this.queue.fail(job.id(), "test-instance", job.attempt(), "released by the test"));
		assertThat(this.queue.heartbeat(id, "busy-instance", 40)).isTrue();
		Operation running = this.queue.find(id).orElseThrow();
		assertThat(running.state()).isEqualTo("running");
		assertThat(running.progress()).isEqualTo(40);
		this.jdbc.sql("update job set lease_until = now() - interval '1 second' where id = ?").param(id).update();
		assertThat(awaitOperation("/api/v1/operations/" + id, ADMIN_TOKEN).path("state").asString())
			.isEqualTo("succeeded");
	}

	@Test
	void aJobThatKeepsFailingIsRetriedWithBackoffAndEndsDead() {
		long id = this.queue.enqueue("no.such.kind", Map.of("why", "test"), "admin");
		JsonNode operation = awaitOperation("/api/v1/operations/" + id, ADMIN_TOKEN);
		assertThat(operation.path("state").asString()).isEqualTo("failed");
		assertThat(operation.path("attempts").asInt()).isEqualTo(8);
		assertThat(operation.path("error").asString()).isEqualTo("no handler for job kind no.such.kind");
		assertThat(JobProperties.backoff(java.time.Duration.ofSeconds(2), java.time.Duration.ofMinutes(10), 1))
			.hasSeconds(2);
		assertThat(JobProperties.backoff(java.time.Duration.ofSeconds(2), java.time.Duration.ofMinutes(10), 4))
			.hasSeconds(16);
		assertThat(JobProperties.backoff(java.time.Duration.ofSeconds(2), java.time.Duration.ofMinutes(10), 40))
			.hasMinutes(10);
	}

	@Test
	void pendingRequestsForTheSameWorkCoalesce() {
		// in one transaction, as a change enqueues its follow-up work, so no instance
		// claims
		// the first before the second arrives
		long[] ids = this.transaction.execute((status) -> new long[] {
				this.queue.enqueueOnce(Projections.RECONCILE, "test-coalesce", EMPTY_TARGET, "admin"),
				this.queue.enqueueOnce(Projections.RECONCILE, "test-coalesce", EMPTY_TARGET, "admin") });
		assertThat(ids[1]).isEqualTo(ids[0]);
		assertThat(
				this.jdbc.sql("select count(*) from job where dedupe_key = 'test-coalesce'").query(Long.class).single())
			.isEqualTo(1);
	}

	@Test
	void aJobHandedBackByAStoppingInstanceKeepsItsAttemptsAndFinishedJobsArePurgedAfterTheirRetention() {
		long id = this.queue.enqueue(Projections.RECONCILE, EMPTY_TARGET, "admin");
		this.jdbc
			.sql("update job set state = 'running', attempts = 3, lease_owner = 'stopping-instance', "
					+ "lease_until = now() + interval '1 hour' where id = ?")
			.param(id)
			.update();
		this.queue.release(id, "stopping-instance");
		JsonNode operation = awaitOperation("/api/v1/operations/" + id, ADMIN_TOKEN);
		assertThat(operation.path("state").asString()).isEqualTo("succeeded");
		assertThat(operation.path("attempts").asInt()).isEqualTo(3);

		this.jdbc.sql("update job set finished_at = now() - interval '8 days' where id = ?").param(id).update();
		assertThat(this.queue.purge(java.time.Duration.ofDays(7))).isPositive();
		assertThat(this.queue.find(id)).isEmpty();
		assertThat(api().get("/api/v1/operations/" + id, ADMIN_TOKEN).status()).isEqualTo(404);
	}

	@Test
	void aPeriodicJobIsEnqueuedOnceAndAgainOnlyAfterItsInterval() {
		java.time.Duration interval = java.time.Duration.ofHours(1);
		assertThat(this.queue.enqueueUnlessRecent("test.periodic", interval, "scheduler")).isTrue();
		// a second instance asking at the same time finds the pending job
		assertThat(this.queue.enqueueUnlessRecent("test.periodic", interval, "scheduler")).isFalse();
		this.jdbc
			.sql("update job set state = 'succeeded', finished_at = now() - interval '10 minutes' "
					+ "where kind = 'test.periodic'")
			.update();
		assertThat(this.queue.enqueueUnlessRecent("test.periodic", interval, "scheduler")).isFalse();
		this.jdbc
			.sql("update job set run_at = now() + interval '1 day' where kind = 'test.periodic' "
					+ "and state = 'pending'")
			.update();
		this.jdbc.sql("update job set finished_at = now() - interval '2 hours' where kind = 'test.periodic'").update();
		assertThat(this.queue.enqueueUnlessRecent("test.periodic", interval, "scheduler")).isTrue();
		this.jdbc.sql("delete from job where kind = 'test.periodic'").update();
	}

	@Test
	void aFailedJobThatANewerPendingRequestCoversIsSupersededInsteadOfRetried() {
		// each enqueue and its state change in one transaction, so no runner claims the
		// job in between
		long first = this.transaction.execute((status) -> {
			long id = this.queue.enqueueOnce(Projections.RECONCILE, "test-supersede", EMPTY_TARGET, "admin");
			this.jdbc
				.sql("update job set state = 'running', attempts = 1, lease_owner = 'busy-instance', "
						+ "lease_until = now() + interval '1 hour' where id = ?")
				.param(id)
				.update();
			return id;
		});
		long second = this.transaction.execute((status) -> {
			long id = this.queue.enqueueOnce(Projections.RECONCILE, "test-supersede", EMPTY_TARGET, "admin");
			// keep the newer request pending while the older one fails
			this.jdbc.sql("update job set run_at = now() + interval '1 hour' where id = ?").param(id).update();
			return id;
		});
		assertThat(second).isNotEqualTo(first);
		this.queue.fail(first, "busy-instance", 1, "S3 unavailable");
		Operation superseded = this.queue.find(first).orElseThrow();
		assertThat(superseded.state()).isEqualTo("superseded");
		assertThat(superseded.finishedAt()).isNotNull();
		assertThat(this.queue.find(second).orElseThrow().state()).isEqualTo("pending");
		this.jdbc.sql("delete from job where dedupe_key = 'test-supersede'").update();
	}

}
