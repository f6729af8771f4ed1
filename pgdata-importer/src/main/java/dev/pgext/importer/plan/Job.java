package dev.pgext.importer.plan;

import java.util.List;

import dev.pgext.importer.keyspace.Key;

/**
 * A slice of the key space that becomes one image layer.
 *
 * @param id position in the plan, from 0
 * @param start first key of the range
 * @param end end of the range, exclusive
 * @param tasks the work, in key order
 */
public record Job(int id, Key start, Key end, List<Task> tasks) {

	/** Bytes of values this job writes. */
	public long bytes() {
		return this.tasks.stream().mapToLong(Task::bytes).sum();
	}

}
