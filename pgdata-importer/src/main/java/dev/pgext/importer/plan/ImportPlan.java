package dev.pgext.importer.plan;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.model.Sha256Digest;

/**
 * The deterministic split of one shard's import into jobs. The jobs are in a local file
 * and read back one at a time, never all held.
 *
 * @param id digest of everything the plan was made from and of its jobs; equal ids mean
 * equal layers
 * @param control the cluster's control file
 * @param jobCount how many jobs there are
 * @param bytes bytes of values all jobs write together
 * @param skipped files deliberately not imported, by reason
 * @param jobsFile the local file of the jobs, in the directory the plan was made in
 */
public record ImportPlan(Sha256Digest id, PgControl control, int jobCount, long bytes, List<SkippedFiles> skipped,
		Path jobsFile) {

	/**
	 * The jobs, tiling the key space in order, read from {@link #jobsFile()} as the
	 * stream is consumed; close the stream.
	 */
	public Stream<Job> jobs() {
		return JobsFile.read(this.jobsFile);
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
