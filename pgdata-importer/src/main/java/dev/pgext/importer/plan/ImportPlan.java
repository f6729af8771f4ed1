package dev.pgext.importer.plan;

import java.util.List;

import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.model.Sha256Digest;

/**
 * The deterministic split of one shard's import into jobs.
 *
 * @param id digest of everything the plan was made from and of its jobs; equal ids mean
 * equal layers
 * @param control the cluster's control file
 * @param jobs the jobs, tiling the key space in order
 * @param skipped files deliberately not imported, by reason
 */
public record ImportPlan(Sha256Digest id, PgControl control, List<Job> jobs, List<SkippedFiles> skipped) {

	public long bytes() {
		return this.jobs.stream().mapToLong(Job::bytes).sum();
	}

	/**
	 * Files of one kind that are not imported, said out loud.
	 *
	 * @param reason why they are skipped
	 * @param files how many
	 * @param example one of them
	 */
	public record SkippedFiles(String reason, int files, String example) {

	}

}
