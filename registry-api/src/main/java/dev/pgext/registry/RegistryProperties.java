package dev.pgext.registry;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.pgext.model.release.ReleaseLimits;
import dev.pgext.model.store.ObjectStoreSettings;

/**
 * Configuration of the registry.
 *
 * @param s3 the extension store bucket: endpoint, region, bucket, credentials, retries
 * @param publish limits an uploaded release must stay within
 * @param admin the administrator created at start, so that a fresh registry has someone
 * to hand out tokens
 * @param tokens how long API tokens live
 * @param actuator who may read the actuator
 */
@ConfigurationProperties("pgext.registry")
@Validated
public record RegistryProperties(@NestedConfigurationProperty ObjectStoreSettings s3,
		@Valid @NotNull @DefaultValue Publish publish, @Valid @NotNull @DefaultValue Admin admin,
		@Valid @NotNull @DefaultValue TokenLifetimes tokens, @Valid @NotNull @DefaultValue Actuator actuator) {

	/**
	 * Access to the actuator. Health (up or down) is always public; its details and the
	 * metrics need a token with scope {@code admin} or {@code metrics}.
	 *
	 * @param publicMetrics whether anonymous callers may read {@code /actuator/metrics}
	 * and {@code /actuator/prometheus} too, for a registry only its operators can reach
	 * (the local stack)
	 */
	public record Actuator(@DefaultValue("false") boolean publicMetrics) {
	}

	/**
	 * Lifetimes of API tokens.
	 *
	 * @param defaultLifetime how long a token lives when its request names no expiry
	 * @param maxLifetime the longest lifetime a token may be given; a later
	 * {@code expires_at} is refused
	 */
	public record TokenLifetimes(@NotNull @DefaultValue("90d") Duration defaultLifetime,
			@NotNull @DefaultValue("365d") Duration maxLifetime) {
	}

	/**
	 * Limits on one uploaded release.
	 *
	 * @param maxFileSize largest single file inside an artifact, uncompressed
	 * @param maxTotalSize largest sum of the uncompressed files of one artifact
	 * @param maxCompressionRatio largest uncompressed-to-compressed ratio of an artifact
	 * (archive bombs)
	 * @param ratioCheckThreshold uncompressed size below which the ratio is not checked
	 * (small text compresses well)
	 * @param maxEntries most entries (files and directories) one artifact may hold;
	 * counted while streaming, so a larger archive is refused before the rest is read
	 * @param maxMetadataSize largest META.json
	 * @param maxTags most tags of a release
	 * @param maxTagLength longest tag, in characters
	 * @param maxTextLength longest short text field of the metadata (abstract, license, a
	 * maintainer, an extension's abstract), in characters
	 * @param maxDescriptionLength longest description, in characters
	 * @param maxConcurrentUploads most publishes one instance processes at once; the next
	 * one is answered 503 with {@code Retry-After}
	 * @param retryAfter what {@code Retry-After} says to a publish refused for being one
	 * too many
	 */
	public record Publish(@NotNull @DefaultValue(ReleaseLimits.DEFAULT_MAX_FILE_SIZE_MB + "MB") DataSize maxFileSize,
			@NotNull @DefaultValue(ReleaseLimits.DEFAULT_MAX_TOTAL_SIZE_MB + "MB") DataSize maxTotalSize,
			@Min(2) @DefaultValue("100") int maxCompressionRatio,
			@NotNull @DefaultValue("1MB") DataSize ratioCheckThreshold,
			@Min(1) @DefaultValue("" + ReleaseLimits.DEFAULT_MAX_ENTRIES) int maxEntries,
			@NotNull @DefaultValue("1MB") DataSize maxMetadataSize, @Min(0) @DefaultValue("32") int maxTags,
			@Min(1) @DefaultValue("64") int maxTagLength, @Min(1) @DefaultValue("1000") int maxTextLength,
			@Min(1) @DefaultValue("65536") int maxDescriptionLength,
			@Min(1) @DefaultValue("4") int maxConcurrentUploads, @NotNull @DefaultValue("5s") Duration retryAfter) {
	}

	/**
	 * The bootstrap administrator.
	 *
	 * @param name user name of the administrator
	 * @param token the administrator's API token; only its hash is stored, and nothing is
	 * created when empty
	 */
	public record Admin(@NotNull @DefaultValue("admin") String name, String token) {
	}

}
