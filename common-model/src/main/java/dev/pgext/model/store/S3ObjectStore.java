package dev.pgext.model.store;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import dev.pgext.model.StoreLayout;

/**
 * {@link ObjectStore} over the AWS SDK v2 {@link S3Client}. The SDK's own retries are
 * off; Resilience4j retries throttling (429, 503 SlowDown), other 5xx answers and network
 * errors with exponential backoff and jitter, and never a 4xx. An optional circuit
 * breaker sits outside the retries, so a dead endpoint fails fast instead of tying up
 * every caller.
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);

	/** As many as the SDK's own scheduler keeps. */
	private static final int TIMER_THREADS = 5;

	private static final AtomicInteger TIMER_THREAD_NUMBERS = new AtomicInteger();

	private final S3Client client;

	private final String bucket;

	private final Retry retry;

	private final CircuitBreaker circuitBreaker;

	private final Duration apiCallTimeout;

	/** Keys per listing request, or null for the server's page (1,000 on S3). */
	private final Integer listPageSize;

	/**
	 * The client's timer threads (its call timeouts), when this store made the client:
	 * stopped and waited for at {@link #close()}, so that no thread of a closed store
	 * outlives it.
	 */
	private final TimerThreads timers;

	public S3ObjectStore(S3Client client, String bucket, Retry retry, CircuitBreaker circuitBreaker,
			Duration apiCallTimeout) {
		this(client, bucket, retry, circuitBreaker, apiCallTimeout, null, null);
	}

	private S3ObjectStore(S3Client client, String bucket, Retry retry, CircuitBreaker circuitBreaker,
			Duration apiCallTimeout, Integer listPageSize, TimerThreads timers) {
		this.client = client;
		this.bucket = bucket;
		this.retry = retry;
		this.circuitBreaker = circuitBreaker;
		this.apiCallTimeout = apiCallTimeout;
		this.listPageSize = listPageSize;
		this.timers = timers;
	}

	/**
	 * A store for {@code settings}, with its own client and retry and no circuit breaker.
	 */
	public static S3ObjectStore create(ObjectStoreSettings settings) {
		return create(settings, (task) -> new Thread(task, "pgext-s3-timer-" + TIMER_THREAD_NUMBERS.incrementAndGet()));
	}

	/**
	 * A store for {@code settings} whose timer threads come from {@code threads} (made
	 * daemons here): a test tells its store's threads from those of other stores in the
	 * same JVM by their names.
	 */
	static S3ObjectStore create(ObjectStoreSettings settings, ThreadFactory threads) {
		TimerThreads timers = new TimerThreads(TIMER_THREADS, threads);
		return new S3ObjectStore(client(settings, timers.executor()), settings.bucket(), retry("s3", settings), null,
				settings.apiCallTimeout(), null, timers);
	}

	/** The same store with {@code breaker} around every call. */
	public S3ObjectStore withCircuitBreaker(CircuitBreaker breaker) {
		return new S3ObjectStore(this.client, this.bucket, this.retry, breaker, this.apiCallTimeout, this.listPageSize,
				this.timers);
	}

	/** The same client and retry, for another bucket. */
	public S3ObjectStore forBucket(String otherBucket) {
		return new S3ObjectStore(this.client, otherBucket, this.retry, this.circuitBreaker, this.apiCallTimeout,
				this.listPageSize, this.timers);
	}

	/**
	 * The same store, listing at most {@code keys} keys per request (S3 and the servers
	 * like it answer at most 1,000): smaller pages for a caller that holds a page in
	 * memory, or that proves its paging without storing a thousand objects.
	 */
	public S3ObjectStore withListPageSize(int keys) {
		if (keys < 1 || keys > 1000) {
			throw new IllegalArgumentException("a listing page holds 1 to 1000 keys, not " + keys);
		}
		return new S3ObjectStore(this.client, this.bucket, this.retry, this.circuitBreaker, this.apiCallTimeout, keys,
				this.timers);
	}

	/**
	 * Closes the client (its connection pool) and then stops its timer threads and waits
	 * for them. A store and the stores made from it ({@link #withCircuitBreaker},
	 * {@link #forBucket}, {@link #withListPageSize}) share both, so whoever made the
	 * first closes one of them, once none is used any more (a service's storage bean, as
	 * its context closes).
	 */
	@Override
	public void close() {
		this.client.close();
		if (this.timers != null) {
			this.timers.close();
		}
	}

	/**
	 * An S3 client for {@code settings}, with the SDK's retries off (the store retries)
	 * and its timers on {@code timers}, which the SDK leaves to its owner to stop.
	 */
	private static S3Client client(ObjectStoreSettings settings, ScheduledExecutorService timers) {
		var builder = S3Client.builder()
			.region(Region.of(settings.region()))
			.forcePathStyle(settings.pathStyle())
			// S3-compatible servers (MinIO, s3proxy, Ceph) disagree on the newer default
			// checksums
			.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
			.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
			.httpClientBuilder(ApacheHttpClient.builder().maxConnections(64))
			.overrideConfiguration(
					(o) -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).scheduledExecutorService(timers));
		if (settings.endpoint() != null) {
			builder.endpointOverride(settings.endpoint());
		}
		if (settings.accessKey() != null && !settings.accessKey().isBlank()) {
			builder.credentialsProvider(StaticCredentialsProvider
				.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())));
		}
		else {
			builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
		}
		return builder.build();
	}

	/**
	 * The retry policy of {@code settings}: retryable failures only, exponential backoff
	 * with jitter.
	 */
	public static Retry retry(String name, ObjectStoreSettings settings) {
		Retry retry = Backoff.retry(name, settings.maxAttempts(), settings.initialBackoff(),
				S3ObjectStore::isRetryable);
		retry.getEventPublisher()
			.onRetry((event) -> log.debug("S3 call retried (attempt {}): {}", event.getNumberOfRetryAttempts(),
					String.valueOf(event.getLastThrowable())));
		return retry;
	}

	/**
	 * A circuit breaker for a store: like {@link CircuitBreaker#ofDefaults(String)},
	 * except that a client error (a 4xx other than 429) says nothing about the store's
	 * health and is not counted, so a bad request can never open the breaker for every
	 * caller.
	 */
	public static CircuitBreaker circuitBreaker(String name) {
		return CircuitBreaker.of(name,
				io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
					.ignoreException(S3ObjectStore::isClientError)
					.build());
	}

	/** A 4xx answer other than 429 (throttling): the request is wrong, not the store. */
	public static boolean isClientError(Throwable ex) {
		return ex instanceof S3Exception s3 && s3.statusCode() >= 400 && s3.statusCode() < 500
				&& s3.statusCode() != 429;
	}

	/** Throttling, 5xx and network failures are worth another attempt; a 4xx is not. */
	public static boolean isRetryable(Throwable ex) {
		if (ex instanceof S3Exception s3) {
			int status = s3.statusCode();
			return status >= 500 || status == 429 || status == 0;
		}
		return ex instanceof SdkClientException || ex instanceof java.io.UncheckedIOException;
	}

	public S3Client client() {
		return this.client;
	}

	@Override
	public String bucket() {
		return this.bucket;
	}

	/** Creates the bucket when it does not exist yet (local stacks and tests). */
	public void createBucketIfMissing() {
		call("create bucket", () -> {
			try {
				this.client.headBucket((b) -> b.bucket(this.bucket));
			}
			catch (S3Exception ex) {
				if (ex.statusCode() != 404) {
					throw ex;
				}
				try {
					this.client.createBucket((b) -> b.bucket(this.bucket));
				}
				catch (BucketAlreadyOwnedByYouException raced) {
					// another instance created it first
				}
			}
			return null;
		});
	}

	@Override
	public void checkBucket() {
		call("head bucket " + this.bucket,
				() -> this.client.headBucket((b) -> b.bucket(this.bucket).overrideConfiguration(timeout())));
	}

	@Override
	public Optional<InputStream> get(String key) {
		// the attempt timeout ends when the headers are in: it bounds a store that
		// trickles
		// them, never the streaming of the body
		return call("get " + key, () -> notFoundAsEmpty(() -> this.client.getObject(
				GetObjectRequest.builder().bucket(this.bucket).key(key).overrideConfiguration(timeout()).build())));
	}

	@Override
	public Optional<InputStream> getRange(String key, long offset, long length) {
		if (offset < 0 || length <= 0) {
			throw new IllegalArgumentException("range must have offset >= 0 and length > 0");
		}
		String range = "bytes=" + offset + "-" + (offset + length - 1);
		return call("get " + key + " " + range,
				() -> notFoundAsEmpty(() -> this.client.getObject(GetObjectRequest.builder()
					.bucket(this.bucket)
					.key(key)
					.range(range)
					.overrideConfiguration(timeout())
					.build())));
	}

	@Override
	public Optional<byte[]> getBytes(String key) {
		return call("get " + key, () -> notFoundAsEmpty(() -> {
			ResponseBytes<?> bytes = this.client.getObjectAsBytes(
					GetObjectRequest.builder().bucket(this.bucket).key(key).overrideConfiguration(timeout()).build());
			return bytes.asByteArray();
		}));
	}

	@Override
	public Optional<ObjectInfo> head(String key) {
		return call("head " + key, () -> notFoundAsEmpty(() -> {
			HeadObjectResponse head = this.client
				.headObject((b) -> b.bucket(this.bucket).key(key).overrideConfiguration(timeout()));
			return new ObjectInfo(key, head.contentLength(), ObjectInfo.unquote(head.eTag()), head.lastModified());
		}));
	}

	@Override
	public String put(String key, byte[] content, String contentType) {
		return call("put " + key, () -> doPut(request(key, contentType).build(), RequestBody.fromBytes(content)));
	}

	@Override
	public String put(String key, Path file, String contentType) {
		return call("put " + key, () -> doPut(request(key, contentType).build(), RequestBody.fromFile(file)));
	}

	@Override
	public Optional<String> putIfAbsent(String key, byte[] content, String contentType) {
		return call("put-if-absent " + key, () -> preconditionFailedAsEmpty(
				() -> doPut(request(key, contentType).ifNoneMatch("*").build(), RequestBody.fromBytes(content))));
	}

	@Override
	public Optional<String> putIfAbsent(String key, Path file, String contentType) {
		return call("put-if-absent " + key, () -> preconditionFailedAsEmpty(
				() -> doPut(request(key, contentType).ifNoneMatch("*").build(), RequestBody.fromFile(file))));
	}

	@Override
	public Optional<String> putIfMatch(String key, String etag, byte[] content, String contentType) {
		return call("put-if-match " + key,
				() -> preconditionFailedAsEmpty(
						() -> doPut(request(key, contentType).ifMatch("\"" + etag + "\"").build(),
								RequestBody.fromBytes(content))));
	}

	@Override
	public List<ObjectInfo> list(String prefix) {
		List<ObjectInfo> all = new ArrayList<>();
		list(prefix, all::add);
		return all;
	}

	@Override
	public void list(String prefix, Consumer<ObjectInfo> consumer) {
		String token = null;
		do {
			String continuation = token;
			ListObjectsV2Response page = call("list " + prefix,
					() -> this.client.listObjectsV2(ListObjectsV2Request.builder()
						.bucket(this.bucket)
						.prefix(prefix)
						.maxKeys(this.listPageSize)
						.continuationToken(continuation)
						.overrideConfiguration(timeout())
						.build()));
			for (S3Object object : page.contents()) {
				consumer.accept(new ObjectInfo(object.key(), object.size(), ObjectInfo.unquote(object.eTag()),
						object.lastModified()));
			}
			token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
		}
		while (token != null);
	}

	@Override
	public void delete(String key) {
		call("delete " + key,
				() -> this.client.deleteObject((b) -> b.bucket(this.bucket).key(key).overrideConfiguration(timeout())));
	}

	private PutObjectRequest.Builder request(String key, String contentType) {
		String problem = StoreLayout.keyProblem(key);
		if (problem != null) {
			// S3 would refuse it (or an S3-compatible server fail on it): no call, no
			// retry
			throw new IllegalArgumentException("cannot store '" + key + "': " + problem);
		}
		return PutObjectRequest.builder()
			.bucket(this.bucket)
			.key(key)
			.contentType((contentType != null) ? contentType : "application/octet-stream")
			.overrideConfiguration(timeout());
	}

	private String doPut(PutObjectRequest request, RequestBody body) {
		return ObjectInfo.unquote(this.client.putObject(request, body).eTag());
	}

	private AwsRequestOverrideConfiguration timeout() {
		return AwsRequestOverrideConfiguration.builder().apiCallAttemptTimeout(this.apiCallTimeout).build();
	}

	private static <T> Optional<T> notFoundAsEmpty(Supplier<T> call) {
		try {
			return Optional.of(call.get());
		}
		catch (S3Exception ex) {
			if (ex.statusCode() == 404) {
				return Optional.empty();
			}
			throw ex;
		}
	}

	private static <T> Optional<T> preconditionFailedAsEmpty(Supplier<T> call) {
		try {
			return Optional.of(call.get());
		}
		catch (S3Exception ex) {
			// 412: the condition does not hold; 409: a concurrent conditional write to
			// the key won
			if (ex.statusCode() == 412 || ex.statusCode() == 409) {
				return Optional.empty();
			}
			throw ex;
		}
	}

	private <T> T call(String what, Supplier<T> call) {
		Supplier<T> decorated = Retry.decorateSupplier(this.retry, call);
		if (this.circuitBreaker != null) {
			decorated = CircuitBreaker.decorateSupplier(this.circuitBreaker, decorated);
		}
		try {
			return decorated.get();
		}
		catch (S3Exception ex) {
			throw new ObjectStoreException(
					"S3 " + what + " failed: " + ex.statusCode() + " "
							+ ((ex.awsErrorDetails() != null) ? ex.awsErrorDetails().errorCode() : ex.getMessage()),
					ex.statusCode(), ex);
		}
		catch (SdkException ex) {
			throw new ObjectStoreException("S3 " + what + " failed: " + ex.getMessage(), 0, ex);
		}
		catch (io.github.resilience4j.circuitbreaker.CallNotPermittedException ex) {
			throw new ObjectStoreException("S3 " + what + " not attempted: " + ex.getMessage(), 0, ex);
		}
	}

}
