package dev.pgext.model.store;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach the S3 bucket. Services bind it from their configuration (for example
 * under {@code pgext.s3}); a {@code null} component takes the default given here.
 *
 * @param endpoint S3 endpoint, or {@code null} for AWS' own endpoint of the region
 * @param region signing region (default {@code us-east-1})
 * @param bucket the bucket
 * @param accessKey access key, or {@code null} for the SDK's default credential chain
 * @param secretKey secret key that goes with {@code accessKey}
 * @param pathStyle path-style addressing (MinIO, s3proxy); default {@code true} when an
 * endpoint is set
 * @param maxAttempts attempts per call, the first included (default 5)
 * @param initialBackoff wait before the first retry, doubled per attempt with jitter
 * (default 200 ms)
 * @param apiCallTimeout limit for one attempt of a call that is not streaming a body, and
 * for a streaming {@code get} until its headers are in (not its body) (default 30 s)
 */
public record ObjectStoreSettings(URI endpoint, String region, String bucket, String accessKey, String secretKey,
		Boolean pathStyle, Integer maxAttempts, Duration initialBackoff, Duration apiCallTimeout) {

	public ObjectStoreSettings {
		region = (region == null || region.isBlank()) ? "us-east-1" : region;
		pathStyle = (pathStyle != null) ? pathStyle : endpoint != null;
		maxAttempts = (maxAttempts != null) ? maxAttempts : 5;
		initialBackoff = (initialBackoff != null) ? initialBackoff : Duration.ofMillis(200);
		apiCallTimeout = (apiCallTimeout != null) ? apiCallTimeout : Duration.ofSeconds(30);
		if (bucket == null || bucket.isBlank()) {
			throw new IllegalArgumentException("an S3 bucket must be configured");
		}
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("S3 maxAttempts must be at least 1");
		}
	}

	/** Settings for an endpoint with static keys and defaults for the rest. */
	public static ObjectStoreSettings of(URI endpoint, String bucket, String accessKey, String secretKey) {
		return new ObjectStoreSettings(endpoint, null, bucket, accessKey, secretKey, null, null, null, null);
	}

	public ObjectStoreSettings withBucket(String otherBucket) {
		return new ObjectStoreSettings(this.endpoint, this.region, otherBucket, this.accessKey, this.secretKey,
				this.pathStyle, this.maxAttempts, this.initialBackoff, this.apiCallTimeout);
	}

	@Override
	public String toString() {
		// never print the secret
		return "ObjectStoreSettings[endpoint=" + this.endpoint + ", region=" + this.region + ", bucket=" + this.bucket
				+ ", pathStyle=" + this.pathStyle + ", maxAttempts=" + this.maxAttempts + "]";
	}

}
