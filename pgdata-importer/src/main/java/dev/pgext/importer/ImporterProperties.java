package dev.pgext.importer;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.pgext.importer.keyspace.ShardIdentity;
import dev.pgext.model.store.ObjectStoreSettings;

/**
 * Configuration of the importer, under {@code pgext.importer}.
 *
 * @param s3 the storage bucket that receives {@code index_part.json}, manifests and
 * layers; input buckets named by requests are reached with the same endpoint and
 * credentials
 * @param instanceId this instance's name in import leases; a stable name (the pod name)
 * lets a restarted instance take its imports back at once instead of waiting for the
 * lease to run out (default: a random name)
 * @param allowedBuckets input buckets requests may name; empty allows any
 * @param shards shard layout of tenants without an entry in {@code tenants}
 * @param tenants shard layout per tenant id
 * @param jobSize soft limit of the page bytes of one job, about the size of one layer
 * @param maxRange largest ranged GET of input, and so the largest buffer one read holds
 * @param jobConcurrency jobs running at once across all imports of this instance
 * @param memoryBudget input bytes held in memory at once across all jobs of this instance
 * @param compressionLevel zstd level of layer values, negative for the fast levels, 0 to
 * store them raw
 * @param pgdataWaitTimeout how long after its start an import waits for
 * {@code status/pgdata} to say done
 * @param pgdataPollInitial first wait between polls of {@code status/pgdata}, doubled up
 * to {@code pgdataPollMax}
 * @param pgdataPollMax longest wait between polls of {@code status/pgdata}
 * @param lease how long an instance owns an import without renewing; renewed every third
 * of it
 * @param rescanInterval how often the instance looks for imports to resume or to finish
 * notifying
 * @param maxFiles most files a PGDATA may have; a larger listing is refused
 * @param workDir local directory for layers being written (default:
 * {@code pgdata-importer} in the JVM's temporary directory)
 * @param requireFileList fail imports whose upload carries no list of every file's size
 * and checksum (a {@code backup_manifest} in the PGDATA or a {@code files} list in
 * {@code status/pgdata})
 * @param storeRetryDeadline how long one step of an import (a job, planning, recording
 * the outcome) keeps retrying a store that fails transiently (5xx, throttling, resets,
 * cut bodies) before the import fails
 * @param upcall the completion notification to the control plane
 * @param maxRequestBody largest request body the API reads, at least 1KB (a creation's
 * JSON is well under a kilobyte); a larger one is answered with 413 before it is read
 * whole, whether its length is declared or it comes chunked
 */
@ConfigurationProperties("pgext.importer")
@Validated
public record ImporterProperties(@NestedConfigurationProperty @NotNull ObjectStoreSettings s3, String instanceId,
		List<String> allowedBuckets, @Valid @NotNull @DefaultValue ShardLayout shards,
		Map<String, @Valid ShardLayout> tenants, @NotNull @DefaultValue("256MB") DataSize jobSize,
		@NotNull @DefaultValue("4MB") DataSize maxRange, @Min(1) @Max(256) @DefaultValue("4") int jobConcurrency,
		@NotNull @DefaultValue("64MB") DataSize memoryBudget, @Min(-7) @Max(22) @DefaultValue("1") int compressionLevel,
		@NotNull @DefaultValue("2h") Duration pgdataWaitTimeout,
		@NotNull @DefaultValue("1s") Duration pgdataPollInitial, @NotNull @DefaultValue("30s") Duration pgdataPollMax,
		@NotNull @DefaultValue("30s") Duration lease, @NotNull @DefaultValue("30s") Duration rescanInterval,
		@Min(1) @DefaultValue("1000000") int maxFiles, Path workDir, @DefaultValue("false") boolean requireFileList,
		@NotNull @DefaultValue("15m") Duration storeRetryDeadline, @Valid @NotNull @DefaultValue Upcall upcall,
		@NotNull @DefaultValue("1MB") DataSize maxRequestBody) {

	public ImporterProperties {
		instanceId = (instanceId != null && !instanceId.isBlank()) ? instanceId : "importer-" + UUID.randomUUID();
		allowedBuckets = (allowedBuckets != null) ? List.copyOf(allowedBuckets) : List.of();
		tenants = (tenants != null) ? Map.copyOf(tenants) : Map.of();
		workDir = (workDir != null) ? workDir : Path.of(System.getProperty("java.io.tmpdir"), "pgdata-importer");
		if (maxRange.toBytes() < 8192 || maxRange.toBytes() > memoryBudget.toBytes()) {
			throw new IllegalArgumentException("max-range must be at least one page and at most the memory budget");
		}
		if (memoryBudget.toBytes() / 1024 > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("memory-budget is too large");
		}
		if (maxRequestBody.toBytes() < 1024) {
			throw new IllegalArgumentException("max-request-body must be at least 1KB");
		}
		if (jobSize.toBytes() < 8192) {
			throw new IllegalArgumentException("job-size must be at least one page");
		}
	}

	/**
	 * The shard identity of {@code shardNumber} of {@code tenantId}, or empty when the
	 * tenant has no such shard.
	 */
	public Optional<ShardIdentity> shard(String tenantId, int shardNumber) {
		ShardLayout layout = this.tenants.getOrDefault(tenantId, this.shards);
		if (shardNumber < 0 || shardNumber >= layout.count()) {
			return Optional.empty();
		}
		return Optional.of(new ShardIdentity(shardNumber, layout.count(), layout.stripeSize()));
	}

	/**
	 * How a tenant's key space is split over shards.
	 *
	 * @param count number of shards
	 * @param stripeSize relation blocks per stripe
	 */
	public record ShardLayout(@Min(1) @Max(255) @DefaultValue("1") int count,
			@Min(1) @DefaultValue("2048") int stripeSize) {

	}

	/**
	 * The completion notification.
	 *
	 * @param url where {@code PUT} sends the shard's final state; none: no notification
	 * @param initialBackoff wait before the first retry, doubled up to {@code maxBackoff}
	 * @param maxBackoff longest wait between attempts; attempts go on until a 2xx answer
	 * @param timeout limit of one attempt
	 */
	public record Upcall(URI url, @NotNull @DefaultValue("200ms") Duration initialBackoff,
			@NotNull @DefaultValue("30s") Duration maxBackoff, @NotNull @DefaultValue("10s") Duration timeout) {

	}

}
