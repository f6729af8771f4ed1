package dev.pgext.testsupport;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * An S3 endpoint in this JVM (s3proxy) speaking the real S3 protocol with SigV4
 * authentication, backed by a directory (data survives restarts) or by memory.
 */
public final class EmbeddedS3Server implements AutoCloseable {

	/** Access key of the embedded endpoint. */
	public static final String ACCESS_KEY = "pgext-local";

	/** Secret key of the embedded endpoint. */
	public static final String SECRET_KEY = "pgext-local-secret";

	/** The running endpoints of this JVM and the stores behind them. */
	private static final Map<URI, BlobStore> RUNNING = new ConcurrentHashMap<>();

	private final S3Proxy proxy;

	private final URI endpoint;

	private EmbeddedS3Server(S3Proxy proxy, URI endpoint) {
		this.proxy = proxy;
		this.endpoint = endpoint;
	}

	/**
	 * Starts an endpoint on a loopback port.
	 * @param directory where buckets are stored, or {@code null} to keep them in memory
	 * @param port the port, or 0 for any free port
	 */
	public static EmbeddedS3Server start(Path directory, int port) {
		BlobStore store;
		if (directory != null) {
			try {
				Files.createDirectories(directory);
			}
			catch (IOException ex) {
				throw new IllegalStateException("could not start the embedded S3 endpoint: " + ex.getMessage(), ex);
			}
			store = new FilesystemNio2BlobStore(directory.toAbsolutePath().toString());
		}
		else {
			store = new TransientNio2BlobStore();
		}
		return serving(store, port);
	}

	/**
	 * Starts a server in front of {@code store} (which a caller may fill directly,
	 * without going through HTTP).
	 * @param port the port, or 0 for any free port
	 */
	public static EmbeddedS3Server serving(BlobStore store, int port) {
		try {
			S3Proxy proxy = S3Proxy.builder()
				.blobStore(store)
				.endpoint(URI.create("http://127.0.0.1:" + port))
				.awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
				.ignoreUnknownHeaders(true)
				// stop at once: whoever uses this endpoint has stopped before it (the
				// local stack stops its services first, a test JVM ends); the default
				// graceful stop held every close for 1-2 s
				.stopTimeout(0)
				.build();
			proxy.start();
			try {
				Awaitility.await("s3proxy to start")
					.atMost(Duration.ofSeconds(30))
					.pollDelay(Duration.ZERO)
					.pollInterval(Duration.ofMillis(10))
					.until(() -> "STARTED".equals(proxy.getState()));
			}
			catch (ConditionTimeoutException ex) {
				throw new IllegalStateException("s3proxy did not start within 30 s (state " + proxy.getState() + ")",
						ex);
			}
			URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
			RUNNING.put(endpoint, store);
			return new EmbeddedS3Server(proxy, endpoint);
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException("could not start the embedded S3 endpoint: " + ex.getMessage(), ex);
		}
	}

	public URI endpoint() {
		return this.endpoint;
	}

	/**
	 * The store behind an endpoint running in this JVM, for test set-up that fills a
	 * bucket with many objects at once without a request per object; what a test then
	 * checks still goes through the endpoint. Empty for any other endpoint (an
	 * environment's S3, a container).
	 */
	public static Optional<BlobStore> storeAt(URI endpoint) {
		return Optional.ofNullable(RUNNING.get(endpoint));
	}

	@Override
	public void close() {
		RUNNING.remove(this.endpoint);
		try {
			this.proxy.stop();
		}
		catch (Exception ex) {
			throw new IllegalStateException("stopping s3proxy failed", ex);
		}
	}

}
