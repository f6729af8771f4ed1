package dev.pgext.bundle.publish;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.pgext.bundle.archive.BundleFormatException;
import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.build.BundleBuilder;
import dev.pgext.bundle.build.TestBundles;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link BundlePublisher}: uploads go to the real (in-process) S3, registration
 * to a stand-in that checks requests the way the registry's {@code POST /api/v1/bundles}
 * contract says.
 */
@RealInfrastructure
class BundlePublisherIntegrationTests {

	static final String TOKEN = "bundle-ci-token";

	static final String READ_ONLY_TOKEN = "bundle-read-token";

	private final BundleBuilder.Result bundle = TestBundles.twoMajors();

	private final List<JsonNode> registrations = new CopyOnWriteArrayList<>();

	private final Set<String> registered = new HashSet<>();

	private HttpServer registry;

	@BeforeEach
	void startRegistry() throws IOException {
		this.registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.registry.createContext("/api/v1/bundles", this::register);
		this.registry.createContext("/api/v1/me", this::me);
		this.registry.start();
	}

	@AfterEach
	void stopRegistry() {
		this.registry.stop(0);
	}

	private synchronized void register(HttpExchange exchange) throws IOException {
		try (exchange; InputStream body = exchange.getRequestBody()) {
			if (!"POST".equals(exchange.getRequestMethod())
					|| !("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
				respond(exchange, 401, "{\"type\":\"https://pgext.dev/problems/unauthorized\"}");
				return;
			}
			JsonNode request = BundleJson.mapper().readTree(body.readAllBytes());
			if (!request.path("sha256").isString() || !request.path("size").isNumber()
					|| !request.path("pg_versions").isObject() || !request.path("manifest").path("files").isArray()) {
				respond(exchange, 400, "{\"type\":\"https://pgext.dev/problems/invalid-bundle\"}");
				return;
			}
			this.registrations.add(request);
			boolean created = this.registered.add(request.path("sha256").asString());
			respond(exchange, created ? 201 : 200, "{}");
		}
	}

	/** Who a token is, as the registry says it: this registry knows two tokens. */
	private void me(HttpExchange exchange) throws IOException {
		try (exchange) {
			String authorization = exchange.getRequestHeaders().getFirst("Authorization");
			if (("Bearer " + TOKEN).equals(authorization)) {
				respond(exchange, 200, "{\"name\":\"ci\",\"scopes\":[\"publish\"]}");
			}
			else if (("Bearer " + READ_ONLY_TOKEN).equals(authorization)) {
				respond(exchange, 200, "{\"name\":\"reader\",\"scopes\":[\"read\"]}");
			}
			else {
				respond(exchange, 401, "{\"type\":\"https://pgext.dev/problems/unauthorized\"}");
			}
		}
	}

	private static void respond(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
	}

	private BundlePublisher publisher(TestBucket bucket, String token) {
		URI url = URI.create("http://127.0.0.1:" + this.registry.getAddress().getPort());
		return new BundlePublisher(bucket.objectStore(), new RegistryClient(url, token, Duration.ofSeconds(10)));
	}

	@Test
	void publishingStoresTheBundleUnderItsDigestAndRegistersIt(TestBucket bucket) throws IOException {
		S3ObjectStore store = bucket.objectStore();
		String key = StoreLayout.bundle(this.bundle.sha256());
		store.delete(key);

		BundlePublisher.Result result = publisher(bucket, TOKEN).publish(this.bundle.file());

		assertThat(result.key()).isEqualTo("bundles/sha256/" + this.bundle.sha256().hex() + ".tar.zst");
		assertThat(result.uploaded()).isTrue();
		assertThat(result.registration()).isEqualTo(RegistryClient.Outcome.REGISTERED);
		try (InputStream stored = store.get(key).orElseThrow()) {
			assertThat(Sha256Digest.of(stored)).isEqualTo(this.bundle.sha256());
		}
		JsonNode request = this.registrations.get(0);
		assertThat(request.path("sha256").asString()).isEqualTo(this.bundle.sha256().hex());
		assertThat(request.path("size").asLong()).isEqualTo(this.bundle.size());
		assertThat(request.path("pg_versions").path("15").asString()).isEqualTo("15.19");
		assertThat(request.path("pg_versions").path("17").asString()).isEqualTo("17.11");
		assertThat(request.path("manifest").path("files").size()).isEqualTo(this.bundle.manifest().files().size());
		// the SBOM travels with the registration, exactly the file bundle.json lists
		byte[] sbom = request.path("sbom").asString().getBytes(StandardCharsets.UTF_8);
		assertThat(this.bundle.manifest().files())
			.filteredOn((f) -> f.path().equals(request.path("manifest").path("sbom").asString()))
			.singleElement()
			.satisfies((f) -> assertThat(f.sha256()).isEqualTo(Sha256Digest.of(sbom)));
		assertThat(request.path("manifest").path("postgres").path("15").path("version_output").asString())
			.isEqualTo("postgres (PostgreSQL) 15.19");
	}

	@Test
	void publishingTwiceIsANoOp(TestBucket bucket) throws IOException {
		S3ObjectStore store = bucket.objectStore();
		String key = StoreLayout.bundle(this.bundle.sha256());
		publisher(bucket, TOKEN).publish(this.bundle.file());
		ObjectInfo first = store.head(key).orElseThrow();

		BundlePublisher.Result again = publisher(bucket, TOKEN).publish(this.bundle.file());

		assertThat(again.uploaded()).isFalse();
		assertThat(again.registration()).isEqualTo(RegistryClient.Outcome.ALREADY_REGISTERED);
		ObjectInfo second = store.head(key).orElseThrow();
		assertThat(second.etag()).isEqualTo(first.etag());
		assertThat(second.lastModified()).isEqualTo(first.lastModified());
	}

	@Test
	void aStoredObjectOfTheRightSizeButOtherContentIsNotRegistered(TestBucket bucket, @TempDir Path temp)
			throws IOException {
		// a bundle no other test of this class publishes into the shared bucket
		BundleBuilder.Result unpublished = TestBundles.pg14();
		String key = StoreLayout.bundle(unpublished.sha256());
		byte[] other = Files.readAllBytes(unpublished.file());
		other[other.length / 2] ^= 0x5a;
		Path corrupt = Files.write(temp.resolve("corrupt"), other);
		bucket.objectStore().put(key, corrupt, "application/zstd");
		try {
			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> publisher(bucket, TOKEN).publish(unpublished.file()))
				.withMessageContaining(key + " already holds " + other.length + " bytes with sha256 ")
				.withMessageContaining("must be removed by an operator");
			assertThat(this.registrations).isEmpty();
		}
		finally {
			bucket.objectStore().delete(key);
		}
	}

	@Test
	void anArchiveThatDoesNotMatchItsManifestIsRefusedBeforeAnythingIsSent(TestBucket bucket, @TempDir Path temp)
			throws IOException {
		Path tree = TestBundles.pg14Tree(temp.resolve("tree"));
		TestBundles.replace(tree.resolve("etc/hosts"), "127.0.0.1 tampered\n");
		Path tampered = TestBundles.repack(tree, temp.resolve("tampered.tar.zst"), UnaryOperator.identity());

		assertThatExceptionOfType(BundleFormatException.class)
			.isThrownBy(() -> publisher(bucket, TOKEN).publish(tampered))
			.withMessageContaining("refusing to publish bundle")
			.withMessageContaining("etc/hosts");
		assertThat(bucket.objectStore().head(StoreLayout.bundle(Sha256Digest.of(tampered)))).isEmpty();
		assertThat(this.registrations).isEmpty();
	}

	@Test
	void aRegistryRefusingTheTokenFailsThePublishWithItsAnswerBeforeTheUpload(TestBucket bucket) throws IOException {
		// a bundle no other test of this class publishes into the shared bucket
		BundleBuilder.Result unpublished = TestBundles.pg14();
		String key = StoreLayout.bundle(unpublished.sha256());
		assertThat(bucket.objectStore().head(key)).isEmpty();
		assertThatExceptionOfType(RegistryClient.RegistryException.class)
			.isThrownBy(() -> publisher(bucket, "wrong-token").publish(unpublished.file()))
			.withMessageContaining("HTTP 401")
			.withMessageContaining("unauthorized");
		assertThat(bucket.objectStore().head(key)).isEmpty();
	}

	@Test
	void aTokenThatMayNotPublishIsRefusedBeforeTheUpload(TestBucket bucket) throws IOException {
		BundleBuilder.Result unpublished = TestBundles.pg14();
		String key = StoreLayout.bundle(unpublished.sha256());
		assertThat(bucket.objectStore().head(key)).isEmpty();
		assertThatExceptionOfType(RegistryClient.RegistryException.class)
			.isThrownBy(() -> publisher(bucket, READ_ONLY_TOKEN).publish(unpublished.file()))
			.withMessage("the token of reader has the scopes [read]; registering a bundle needs publish or admin");
		assertThat(bucket.objectStore().head(key)).isEmpty();
		assertThat(this.registrations).isEmpty();
	}

}
