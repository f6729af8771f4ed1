package dev.pgext.importer.run;

import dev.pgext.importer.keyspace.ShardIdentity;

/**
 * One shard's import of one timeline.
 *
 * @param tenantId tenant, 32 hex digits
 * @param shard the shard
 * @param timelineId timeline, 32 hex digits
 */
public record ImportId(String tenantId, ShardIdentity shard, String timelineId) {

	@Override
	public String toString() {
		return this.tenantId + "-" + this.shard.slug() + "/" + this.timelineId;
	}

}
