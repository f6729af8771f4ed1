package dev.pgext.importer.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.resilience4j.retry.Retry;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import dev.pgext.model.store.Backoff;
import dev.pgext.model.store.ObjectStoreException;
import dev.pgext.model.store.S3ObjectStore;

/**
 * Reads that need what the store facade does not return: the ETag of what was read,
 * ranged reads conditional on an ETag, and a hard limit on how many bytes a response may
 * bring.
 */
final class S3Reads {

	private static final Duration MAX_WAIT = Duration.ofSeconds(10);

	private final S3Client client;

	private final Supplier<Retry> retries;

	/** Reads retried by {@code retry} (shared by every call). */
	S3Reads(S3Client client, Retry retry) {
		this.client = client;
		this.retries = () -> retry;
	}

	/**
	 * Reads whose retryable failures (see {@link S3ObjectStore#isRetryable}) are retried
	 * with backoff from {@code initialBackoff} for as long as they last less than
	 * {@code deadline} from the first one, so that a store failing a share of the
	 * requests costs a re-read of a range, not a job.
	 */
	S3Reads(S3Client client, Duration initialBackoff, Duration deadline, Clock clock) {
		this.client = client;
		this.retries = () -> {
			Instant until = clock.instant().plus(deadline);
			return Backoff.retry("importer-s3-read", Integer.MAX_VALUE, initialBackoff, MAX_WAIT,
					(ex) -> S3ObjectStore.isRetryable(ex) && clock.instant().isBefore(until)
							&& !Thread.currentThread().isInterrupted());
		};
	}

	/**
	 * Bytes read and the ETag they had.
	 *
	 * @param bytes the content, in its first {@code length} bytes
	 * @param length how many bytes were read
	 * @param etag the ETag, unquoted
	 * @param totalSize the whole object's size
	 */
	record Fetched(byte[] bytes, int length, String etag, long totalSize) {

	}

	/**
	 * The answer when the object does not exist, or when {@code ifMatch} no longer
	 * matches.
	 */
	enum Miss {

		NOT_FOUND, CHANGED

	}

	/**
	 * Reads an object, or a range of it, with at most {@code maxBytes} bytes.
	 * @param range {@code [offset, offset+length)} or {@code null} for the whole object
	 * @param ifMatch ETag the object must still have, or {@code null}
	 * @return the bytes, or the reason there are none
	 */
	Result get(String bucket, String key, long[] range, String ifMatch, int maxBytes) {
		return get(bucket, key, range, ifMatch, maxBytes, null);
	}

	/**
	 * Reads like {@link #get(String, String, long[], String, int)}, into {@code into}
	 * when it is not null (it must hold {@code maxBytes}).
	 */
	Result get(String bucket, String key, long[] range, String ifMatch, int maxBytes, byte[] into) {
		GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
		if (range != null) {
			request.range("bytes=" + range[0] + "-" + (range[0] + range[1] - 1));
		}
		if (ifMatch != null) {
			request.ifMatch("\"" + ifMatch + "\"");
		}
		return getObject(request.build(), maxBytes, (in, response, length) -> {
			byte[] bytes = readExactly(in, (into != null) ? into : new byte[(int) length], (int) length, key);
			return new Result(new Fetched(bytes, (int) length, unquote(response.eTag()), totalSize(response, length)),
					null);
		}, (miss) -> new Result(null, miss));
	}

	/**
	 * Copies a whole object of at most {@code maxBytes} bytes into {@code file}
	 * (replaced), streaming it: the object is never held in memory.
	 * @return whether the object exists
	 */
	boolean download(String bucket, String key, Path file, long maxBytes) {
		GetObjectRequest request = GetObjectRequest.builder().bucket(bucket).key(key).build();
		return getObject(request, maxBytes, (in, response, length) -> {
			long copied = Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
			if (copied != length) {
				throw new IOException("'" + key + "' ended after " + copied + " of " + length + " bytes");
			}
			return true;
		}, (miss) -> false);
	}

	/**
	 * One GET, retried as this instance retries reads: a body of at most {@code maxBytes}
	 * bytes is handed to {@code body}; a missing object (or, with {@code If-Match}, a
	 * changed one) is answered by {@code onMiss}; a missing bucket fails the import.
	 */
	private <T> T getObject(GetObjectRequest request, long maxBytes, Body<T> body, Function<Miss, T> onMiss) {
		String key = request.key();
		Supplier<T> call = () -> {
			try (ResponseInputStream<GetObjectResponse> in = this.client.getObject(request)) {
				GetObjectResponse response = in.response();
				Long length = response.contentLength();
				if (length == null || length > maxBytes) {
					throw new ImportFailedException(
							"'" + key + "' answered with " + length + " bytes; at most " + maxBytes + " were expected");
				}
				return body.read(in, response, length);
			}
			catch (S3Exception ex) {
				if (ex.statusCode() == 404 && ex.awsErrorDetails() != null
						&& "NoSuchBucket".equals(ex.awsErrorDetails().errorCode())) {
					throw new ImportFailedException("bucket '" + request.bucket() + "' does not exist");
				}
				if (ex.statusCode() == 404) {
					return onMiss.apply(Miss.NOT_FOUND);
				}
				if (ex.statusCode() == 412) {
					return onMiss.apply(Miss.CHANGED);
				}
				throw ex;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		};
		try {
			return Retry.decorateSupplier(this.retries.get(), call).get();
		}
		catch (S3Exception ex) {
			throw new ObjectStoreException("S3 get " + key + " failed: " + ex.statusCode(), ex.statusCode(), ex);
		}
		catch (SdkException ex) {
			throw new ObjectStoreException("S3 get " + key + " failed: " + ex.getMessage(), 0, ex);
		}
	}

	/** Reads a response's body of {@code length} bytes. */
	@FunctionalInterface
	private interface Body<T> {

		T read(InputStream in, GetObjectResponse response, long length) throws IOException;

	}

	/**
	 * The outcome of a read.
	 *
	 * @param fetched what was read, or {@code null}
	 * @param miss why nothing was read, or {@code null}
	 */
	record Result(Fetched fetched, Miss miss) {

		Optional<Fetched> found() {
			return Optional.ofNullable(this.fetched);
		}

	}

	/**
	 * Reads the body into {@code bytes} (of at least its announced length), asking the
	 * stream for all that is left at every call: the HTTP client then reads from the
	 * socket straight into the array, instead of through small buffers copied together at
	 * the end (what {@link InputStream#readNBytes(int)} does).
	 */
	private static byte[] readExactly(InputStream in, byte[] bytes, int length, String key) throws IOException {
		int n = in.readNBytes(bytes, 0, length);
		if (n != length) {
			throw new UncheckedIOException(
					new IOException("'" + key + "' ended after " + n + " of " + length + " bytes"));
		}
		return bytes;
	}

	private static long totalSize(GetObjectResponse response, long length) {
		String contentRange = response.contentRange();
		if (contentRange != null) {
			int slash = contentRange.lastIndexOf('/');
			if (slash >= 0 && !contentRange.endsWith("*")) {
				try {
					return Long.parseLong(contentRange.substring(slash + 1).trim());
				}
				catch (NumberFormatException ex) {
					return -1;
				}
			}
			return -1;
		}
		return length;
	}

	static String unquote(String etag) {
		if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
			return etag.substring(1, etag.length() - 1);
		}
		return etag;
	}

}
