package dev.pgext.testsupport;

import java.net.URI;

import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;

/**
 * An S3 bucket of its own for one test class, on a real S3 endpoint.
 *
 * @param endpoint the S3 endpoint
 * @param accessKey access key
 * @param secretKey secret key
 * @param name bucket name
 */
public record TestBucket(URI endpoint, String accessKey, String secretKey, String name) {

	/** Settings a service would be configured with to use this bucket. */
	public ObjectStoreSettings settings() {
		return ObjectStoreSettings.of(this.endpoint, this.name, this.accessKey, this.secretKey);
	}

	/** A store for this bucket with the default retry policy. */
	public S3ObjectStore objectStore() {
		return S3ObjectStore.create(settings());
	}

}
