package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.client.RestClient;

import dev.pgext.loader.TestStores;
import dev.pgext.loader.trust.MetadataTrust;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.TenantId;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.signing.MetadataSigner;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.SigningKey;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * The loader reads through the registry's contract: the merged compute manifest, and
 * files answered by a redirect to a presigned S3 URL, with a bearer token. The registry
 * here is a stand-in that speaks that contract over real HTTP in front of the real
 * bucket.
 */
@RealInfrastructure
class RegistryExtensionSourceIntegrationTests {

	private static final String TOKEN = "loader-token";

	static TestBucket bucket;

	static ExtIndex manifest;

	static HttpServer registry;

	static final AtomicInteger fileRequests = new AtomicInteger();

	static final AtomicInteger manifestRequests = new AtomicInteger();

	static final List<String> manifestQueries = new java.util.concurrent.CopyOnWriteArrayList<>();

	static ExtIndex arm64Index;

	static ExtIndex publicIndex;

	static final SigningKey SIGNER = SigningKey.generate();

	static HttpServer elsewhere;

	/** When the throttling registry was asked, in {@link System#nanoTime()}. */
	static final List<Long> throttledAt = new java.util.concurrent.CopyOnWriteArrayList<>();

	static final List<String> elsewhereAuthorizations = new java.util.concurrent.CopyOnWriteArrayList<>();

	static final CountDownLatch stalled = new CountDownLatch(1);

	@BeforeAll
	static void registry(TestBucket testBucket) throws IOException {
		bucket = testBucket;
		publicIndex = TestStores.publish(bucket.objectStore(), Scope.PUBLIC, List.of("hstore", "pg_trgm"));
		ExtIndex tenantIndex = TestStores.publish(bucket.objectStore(), Scope.tenant(TenantId.of("acme")),
				List.of("citext"));
		manifest = IndexMerge.merge(PgMajor.of(15), TenantId.of("acme"), publicIndex, tenantIndex);
		arm64Index = TestStores.arm64Index(bucket.objectStore(), Scope.PUBLIC);
		S3Presigner presigner = S3Presigner.builder()
			.endpointOverride(bucket.endpoint())
			.region(Region.US_EAST_1)
			.serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
			.credentialsProvider(StaticCredentialsProvider
				.create(AwsBasicCredentials.create(bucket.accessKey(), bucket.secretKey())))
			.build();
		registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		// a stalled or trickling answer keeps one thread, not the whole server
		registry.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
		registry.createContext("/api/v1/compute-manifests/", (exchange) -> {
			if (!authorized(exchange)) {
				return;
			}
			String query = exchange.getRequestURI().getQuery();
			manifestQueries.add(query);
			// the first manifest request for tenant acme meets a registry that is
			// restarting
			if (query.contains("tenant=acme") && manifestRequests.incrementAndGet() == 1) {
				respond(exchange, 503, new byte[0]);
				return;
			}
			if (query.contains("platform=linux-arm64-gnu")) {
				// what an arm64 compute is offered: builds this test's loader must never
				// see
				respond(exchange, 200, ExtIndexJson.write(arm64Index));
				return;
			}
			boolean acme = query.contains("tenant=acme");
			respond(exchange, 200, ExtIndexJson.write(acme ? manifest : publicIndex));
		});
		// signs as the registry does: the exact body, its document name, the
		// Pgext-Signature header
		registry.createContext("/signed/api/v1/compute-manifests/", (exchange) -> {
			String query = exchange.getRequestURI().getQuery();
			byte[] body = ExtIndexJson.writeCompact(publicIndex);
			byte[] signed = query.contains("tenant=tampered")
					? ExtIndexJson.writeCompact(ExtIndex.of(PgMajor.of(15), null, List.of())) : body;
			if (!query.contains("tenant=unsigned")) {
				String document = "compute-manifests/15/linux-amd64-gnu/"
						+ (query.contains("tenant=") ? query.substring(query.indexOf("tenant=") + 7) : "public");
				MetadataSignature signature = new MetadataSigner(SIGNER, Clock.systemUTC()).sign(document, signed, 7,
						Duration.ofDays(7));
				exchange.getResponseHeaders()
					.add(MetadataSignature.HEADER, Base64.getEncoder().encodeToString(signature.toJson()));
			}
			respond(exchange, 200, body);
		});
		// a registry that takes the manifest request and does not answer until released
		registry.createContext("/stalled/api/v1/compute-manifests/", (exchange) -> {
			try {
				stalled.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			respond(exchange, 503, new byte[0]);
		});
		registry.createContext("/api/v1/files/", (exchange) -> {
			if (!authorized(exchange)) {
				return;
			}
			String path = exchange.getRequestURI().getPath();
			Sha256Digest digest = Sha256Digest.parse(path.substring(path.lastIndexOf('/') + 1));
			boolean known = manifest.extensions()
				.stream()
				.flatMap((e) -> e.files().stream())
				.anyMatch((f) -> f.sha256().equals(digest));
			if (!known) {
				respond(exchange, 404, new byte[0]);
				return;
			}
			// every third request is a transient failure the loader must retry
			if (fileRequests.incrementAndGet() % 3 == 0) {
				respond(exchange, 503, new byte[0]);
				return;
			}
			String url = presigner
				.presignGetObject((p) -> p.signatureDuration(Duration.ofMinutes(5))
					.getObjectRequest((g) -> g.bucket(bucket.name()).key(StoreLayout.blob(digest))))
				.url()
				.toString();
			exchange.getResponseHeaders().add("Location", url);
			respond(exchange, 302, new byte[0]);
		});
		registry.start();
		// another host the registry redirects file downloads to: it records what it is
		// sent and serves the blob
		elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
		elsewhere.createContext("/blobs/", (exchange) -> {
			elsewhereAuthorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
			String path = exchange.getRequestURI().getPath();
			byte[] blob = bucket.objectStore()
				.getBytes(StoreLayout.blob(Sha256Digest.parse(path.substring(path.lastIndexOf('/') + 1))))
				.orElseThrow();
			respond(exchange, 200, blob);
		});
		elsewhere.start();
		// a manifest that never ends: entries, chunked, until the loader hangs up
		registry.createContext("/endless/api/v1/compute-manifests/", (exchange) -> {
			exchange.sendResponseHeaders(200, 0);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write("{\"format\": 1, \"pg_major\": 15, \"extensions\": [".getBytes());
				for (long n = 0;; n++) {
					out.write(("{\"name\": \"x" + n + "\"},").getBytes());
				}
			}
			catch (IOException ex) {
				// the loader hung up
			}
		});
		// a registry that throttles the first request and says when to come back
		registry.createContext("/throttled/api/v1/compute-manifests/", (exchange) -> {
			throttledAt.add(System.nanoTime());
			if (throttledAt.size() == 1) {
				exchange.getResponseHeaders().add("Retry-After", "1");
				respond(exchange, 429, new byte[0]);
				return;
			}
			respond(exchange, 200, ExtIndexJson.write(publicIndex));
		});
		// a registry that sends a file a byte every 100 ms
		registry.createContext("/trickle/api/v1/files/", (exchange) -> {
			exchange.sendResponseHeaders(200, 40);
			try (OutputStream out = exchange.getResponseBody()) {
				for (int i = 0; i < 40; i++) {
					out.write('x');
					out.flush();
					Thread.sleep(100);
				}
			}
			catch (IOException ex) {
				// the loader hung up
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		// a server that is not the registry, or a registry behind a wrong path
		registry.createContext("/notfound/api/v1/compute-manifests/",
				(exchange) -> respond(exchange, 404, new byte[0]));
		// the manifest of another major than the one asked for
		registry.createContext("/othermajor/api/v1/compute-manifests/", (exchange) -> respond(exchange, 200,
				ExtIndexJson.write(ExtIndex.of(PgMajor.of(16), null, publicIndex.extensions()))));
		registry.createContext("/elsewhere/api/v1/files/", (exchange) -> {
			if (!authorized(exchange)) {
				return;
			}
			String path = exchange.getRequestURI().getPath();
			exchange.getResponseHeaders()
				.add("Location", "http://127.0.0.2:" + elsewhere.getAddress().getPort() + "/blobs/"
						+ path.substring(path.lastIndexOf('/') + 1));
			respond(exchange, 302, new byte[0]);
		});
	}

	private static boolean authorized(HttpExchange exchange) throws IOException {
		if (("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
			return true;
		}
		respond(exchange, 401, new byte[0]);
		return false;
	}

	private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
		exchange.sendResponseHeaders(status, (body.length == 0) ? -1 : body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	@AfterAll
	static void stop() {
		registry.stop(0);
		elsewhere.stop(0);
	}

	private static String base() {
		return "http://127.0.0.1:" + registry.getAddress().getPort();
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void theMergedManifestAndEveryFileArriveThroughTheRegistryDespiteTransientFailures(@TempDir Path dir,
			CapturedOutput output) throws IOException {
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base()), TOKEN,
				FilePlacer.retry(3, Duration.ofMillis(20)));
		int watches = ReadDeadline.pendingWatches();
		ExtIndex index = source.index(PgMajor.of(15), TenantId.of("acme"));
		assertThat(index.extensions()).extracting((e) -> e.name().value())
			.containsExactly("citext", "hstore", "pg_trgm");
		// the manifest's body was closed once read: no watch of it is left
		assertThat(ReadDeadline.pendingWatches()).isEqualTo(watches);

		PostgresInstall install = TestStores.emptyInstall(dir);
		FilePlacer placer = new FilePlacer(source, null, null, FilePlacer.retry(4, Duration.ofMillis(20)),
				new SimpleMeterRegistry());
		List<ExtFile> files = new ArrayList<>();
		index.extensions().stream().map(ExtIndexEntry::files).forEach(files::addAll);
		for (ExtFile file : files) {
			placer.place(file, install.resolve(file.path()), () -> false);
		}
		for (ExtFile file : files) {
			assertThat(FilePlacement.hasContent(install.resolve(file.path()), file)).as(file.path()).isTrue();
		}
		assertThat(fileRequests.get()).isGreaterThan(files.size());
		assertThat(manifestRequests.get()).isEqualTo(2);
		assertThat(manifestQueries).last().isEqualTo("platform=linux-amd64-gnu&tenant=acme");
		// each attempt that failed and was followed by another says so, and why
		assertThat(output).contains("Attempt 1 of 3 failed, trying again in")
			.containsPattern("Attempt 1 of 4 failed, trying again in \\d+ ms: .*answered 503");
	}

	@Test
	void aLoaderAsksForItsOwnPlatformAndIsNeverOfferedAnotherPlatformsBuild() {
		RegistryExtensionSource amd64 = new RegistryExtensionSource(java.net.URI.create(base()), TOKEN,
				FilePlacer.retry(3, Duration.ofMillis(20)), Platform.LINUX_AMD64_GNU);
		ExtIndex offered = amd64.index(PgMajor.of(15), null);
		assertThat(manifestQueries).last().isEqualTo("platform=linux-amd64-gnu");
		assertThat(offered.find("first_last_agg")).isEmpty();
		assertThat(offered.findByFileName("first_last_agg.so")).isEmpty();

		RegistryExtensionSource arm64 = new RegistryExtensionSource(java.net.URI.create(base()), TOKEN,
				FilePlacer.retry(3, Duration.ofMillis(20)), Platform.LINUX_ARM64_GNU);
		assertThat(arm64.index(PgMajor.of(15), null).find("first_last_agg")).isPresent();
		assertThat(manifestQueries).last().isEqualTo("platform=linux-arm64-gnu");
	}

	@Test
	void aSignedManifestIsTrustedAndARewrittenOrUnsignedOneIsRefused() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		MetadataTrust trust = new MetadataTrust(new MetadataVerifier(TrustedKeys.of(List.of(SIGNER.publicKey())), true,
				VersionLedger.inMemory(), Clock.systemUTC()), meters);
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/signed"), TOKEN,
				FilePlacer.retry(1, Duration.ofMillis(20)), Platform.LINUX_AMD64_GNU, trust);

		assertThat(source.index(PgMajor.of(15), null).find("hstore")).isPresent();
		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> source.index(PgMajor.of(15), TenantId.of("tampered")))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.UNTRUSTED))
			.withMessageContaining("changed after signing");
		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> source.index(PgMajor.of(15), TenantId.of("unsigned")))
			.withMessageContaining("has no signature");
		assertThat(meters.counter("pgext.loader.metadata.rejected", "reason", "bad-signature").count()).isEqualTo(1);
		assertThat(meters.counter("pgext.loader.metadata.rejected", "reason", "unsigned").count()).isEqualTo(1);
	}

	@Test
	void aFileRedirectedToAnotherHostIsFetchedWithoutTheRegistrysToken(@TempDir Path dir) throws IOException {
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/elsewhere"), TOKEN);
		ExtFile file = publicIndex.find("hstore").orElseThrow().files().get(0);
		PostgresInstall install = TestStores.emptyInstall(dir);
		new FilePlacer(source, null, null, FilePlacer.retry(1, Duration.ofMillis(20)), new SimpleMeterRegistry())
			.place(file, install.resolve(file.path()), () -> false);

		assertThat(FilePlacement.hasContent(install.resolve(file.path()), file)).isTrue();
		assertThat(elsewhereAuthorizations).isNotEmpty().containsOnly("null");
	}

	@Test
	void anEndlessManifestIsRefusedOnceTheMostBytesAllowedHaveArrived() {
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/endless"), TOKEN)
			.withIndexMaxSize(1024 * 1024);
		// refused at once, not when the read timeout (5 minutes) ends the rest of the
		// body
		org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofMinutes(1),
				() -> assertThatExceptionOfType(FetchException.class)
					.isThrownBy(() -> source.index(PgMajor.of(15), null))
					.withMessageContaining("pgext.loader.index-max-size"));
	}

	@Test
	void aManifestAnsweredWith404IsUnavailableNotAnEmptyCatalogEvenWhenSignaturesAreRequired() {
		MetadataTrust trust = new MetadataTrust(new MetadataVerifier(TrustedKeys.of(List.of(SIGNER.publicKey())), true,
				VersionLedger.inMemory(), Clock.systemUTC()), new SimpleMeterRegistry());
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/notfound"), TOKEN,
				FilePlacer.retry(1, Duration.ofMillis(20)), Platform.LINUX_AMD64_GNU, trust);
		assertThatExceptionOfType(FetchException.class).isThrownBy(() -> source.index(PgMajor.of(15), null))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.UNAVAILABLE))
			.withMessageContaining("answered 404");
	}

	@Test
	void aThrottledManifestIsAskedAgainNoSoonerThanTheRegistrysRetryAfter() {
		// a backoff of its own of 20 ms: only the registry's Retry-After makes it wait
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/throttled"), TOKEN,
				FilePlacer.retry(3, Duration.ofMillis(20)));
		assertThat(source.index(PgMajor.of(15), null).extensions()).isNotEmpty();
		assertThat(throttledAt).hasSize(2);
		assertThat(Duration.ofNanos(throttledAt.get(1) - throttledAt.get(0)))
			.isGreaterThanOrEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void aManifestOfAnotherMajorIsRefused() {
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/othermajor"),
				TOKEN);
		assertThatExceptionOfType(FetchException.class).isThrownBy(() -> source.index(PgMajor.of(15), null))
			.withMessageContaining("for PostgreSQL 16, not 15");
	}

	@Test
	void aWrongTokenIsRefusedWithTheRegistrysAnswer() {
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base()), "wrong");
		assertThatExceptionOfType(FetchException.class).isThrownBy(() -> source.index(PgMajor.of(15), null))
			.withMessageContaining("401");
	}

	@Test
	void aFileTheRegistryDoesNotHaveIsMissing() {
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base()), TOKEN);
		assertThatExceptionOfType(FetchException.class)
			.isThrownBy(() -> source.open(Sha256Digest.of(new byte[] { 1, 2, 3 })))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.MISSING));
	}

	@Test
	void aFileReadSlowlyByItsReaderOutlastsTheReadTimeout() throws IOException, InterruptedException {
		// what a download under pgext.loader.background-bandwidth does: it reads the body
		// as slowly as the limit allows, for longer than the read timeout in all
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/elsewhere"), TOKEN,
				FilePlacer.retry(1, Duration.ofMillis(20)), Platform.LINUX_AMD64_GNU, MetadataTrust.none(),
				RegistryExtensionSource.http(RestClient.builder(), Duration.ofSeconds(5), Duration.ofMillis(500)));
		ExtFile file = publicIndex.find("hstore").orElseThrow().files().get(0);
		java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
		try (java.io.InputStream body = source.open(file.sha256())) {
			for (int i = 0; i < 4; i++) {
				byte[] some = body.readNBytes(16);
				read.write(some);
				Thread.sleep(250);
			}
			body.transferTo(read);
		}
		assertThat(Sha256Digest.of(read.toByteArray())).isEqualTo(file.sha256());
	}

	@Test
	void aFileTheRegistryTricklesIsGivenUpOnceItKeptItsReaderWaitingForTheReadTimeoutInAll() {
		// no single read waits as long as the read timeout: only the waits added up end
		// it
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/trickle"), TOKEN,
				FilePlacer.retry(1, Duration.ofMillis(20)), Platform.LINUX_AMD64_GNU, MetadataTrust.none(),
				RegistryExtensionSource.http(RestClient.builder(), Duration.ofSeconds(5), Duration.ofMillis(500)));
		long started = System.nanoTime();
		assertThatIOException().isThrownBy(() -> {
			try (java.io.InputStream body = source.open(Sha256Digest.of(new byte[] { 4 }))) {
				body.transferTo(java.io.OutputStream.nullOutputStream());
			}
		}).withMessageContaining("pgext.loader.registry.read-timeout");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
	}

	@Test
	void aRegistryThatFallsSilentIsGivenUpAfterTheSilenceNotTheWholeReadTimeout() {
		// a read timeout of a minute, half a second of silence
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/stalled"), TOKEN,
				FilePlacer.retry(1, Duration.ofMillis(20)), Platform.LINUX_AMD64_GNU, MetadataTrust.none(),
				RegistryExtensionSource.http(RestClient.builder(), Duration.ofSeconds(5), Duration.ofMinutes(1),
						Duration.ofMillis(500)));
		long started = System.nanoTime();
		// the stalled registry stays stalled for the other tests (its own thread each)
		assertThatExceptionOfType(FetchException.class).isThrownBy(() -> source.index(PgMajor.of(15), null))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.UNAVAILABLE))
			.havingRootCause()
			.isInstanceOf(java.net.SocketTimeoutException.class);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
	}

	@Test
	void aRegistryThatDoesNotAnswerWithinTheConfiguredReadTimeoutIsUnavailable() {
		RegistryExtensionSource source = new RegistryExtensionSource(java.net.URI.create(base() + "/stalled"), TOKEN,
				FilePlacer.retry(1, Duration.ofMillis(20)), Platform.LINUX_AMD64_GNU, MetadataTrust.none(),
				RegistryExtensionSource.http(RestClient.builder(), Duration.ofSeconds(5), Duration.ofMillis(300)));
		try {
			assertThatExceptionOfType(FetchException.class).isThrownBy(() -> source.index(PgMajor.of(15), null))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(FetchException.Reason.UNAVAILABLE))
				.havingRootCause()
				.isInstanceOf(java.net.SocketTimeoutException.class);
		}
		finally {
			stalled.countDown();
		}
	}

}
