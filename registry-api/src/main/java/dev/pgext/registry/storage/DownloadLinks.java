package dev.pgext.registry.storage;

import java.net.URI;
import java.time.Duration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.registry.RegistryProperties;

/**
 * Presigned, short-lived GET links to objects in the extension store, so that large
 * downloads can go straight to S3 (or a CDN in front of it) instead of through the
 * registry.
 */
@Component
public class DownloadLinks implements DisposableBean {

	private static final Duration LIFETIME = Duration.ofMinutes(15);

	private final S3Presigner presigner;

	private final String bucket;

	DownloadLinks(RegistryProperties properties) {
		ObjectStoreSettings settings = properties.s3();
		S3Presigner.Builder builder = S3Presigner.builder()
			.region(Region.of(settings.region()))
			.serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build())
			.credentialsProvider(credentials(settings));
		if (settings.endpoint() != null) {
			builder.endpointOverride(settings.endpoint());
		}
		this.presigner = builder.build();
		this.bucket = settings.bucket();
	}

	private static AwsCredentialsProvider credentials(ObjectStoreSettings settings) {
		if (settings.accessKey() != null && !settings.accessKey().isBlank()) {
			return StaticCredentialsProvider
				.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
		}
		return DefaultCredentialsProvider.builder().build();
	}

	/** A link that reads {@code key} for the next 15 minutes. */
	public URI get(String key) {
		return URI.create(
				this.presigner
					.presignGetObject((request) -> request.signatureDuration(LIFETIME)
						.getObjectRequest((get) -> get.bucket(this.bucket).key(key)))
					.url()
					.toString());
	}

	@Override
	public void destroy() {
		this.presigner.close();
	}

}
