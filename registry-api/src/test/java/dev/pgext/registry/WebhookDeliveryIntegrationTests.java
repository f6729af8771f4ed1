package dev.pgext.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

import dev.pgext.model.Executables;
import dev.pgext.testsupport.FreePorts;
import dev.pgext.testsupport.OutsideTools;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestDatabase;
import dev.pgext.testsupport.TestInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhooks: events reach a subscriber in order, signed, once per subscription, even with
 * a second registry instance competing for the work and a subscriber that is down for a
 * while; events a subscriber never took end in the dead-letter list and can be
 * redelivered.
 */
class WebhookDeliveryIntegrationTests extends RegistryIntegrationTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String SECRET_A = "first-subscriber-secret";

	private static final String SECRET_B = "second-subscriber-secret";

	/**
	 * One request the receiver got.
	 *
	 * @param path the request path
	 * @param signature the signature header
	 * @param body the body
	 */
	record Received(String path, String signature, byte[] body) {

		long eventId() {
			return JSON.readTree(this.body).path("id").asLong();
		}

	}

	@Test
	void aReceiverDownForAWhileGetsEveryEventInOrderSignedAndOnceWhileTwoInstancesDeliver() throws Exception {
		int port = FreePorts.any();
		List<Long> subscriptions = List.of(subscribe("http://127.0.0.1:" + port + "/a", SECRET_A),
				subscribe("http://127.0.0.1:" + port + "/b", SECRET_B));
		long firstCursor = this.jdbc.sql("select min(cursor) from webhook_subscription where id = any(?)")
			.param(subscriptions.toArray(Long[]::new))
			.query(Long.class)
			.single();
		// deliveries wait while the events are made, so a slow machine cannot use up the
		// attempts (15, then dead-lettered) before the receiver comes up
		holdDeliveries(subscriptions, true);
		try (ConfigurableApplicationContext second = secondInstance()) {
			RegistryClient other = new RegistryClient(
					"http://127.0.0.1:" + second.getEnvironment().getProperty("local.server.port"));
			for (int i = 0; i < 6; i++) {
				String name = "hook_" + i;
				RegistryClient instance = (i % 2 == 0) ? api() : other;
				assertThat(instance
					.publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, "1.0"),
							Map.of("pg15", TestArtifacts.sqlExtension(name).tarGz()))
					.status()).isEqualTo(201);
			}
			String maintainer = "hook-co-maintainer";
			userToken(maintainer, null, "publish");
			assertThat(
					other.postJson("/api/v1/distributions/hook_0/maintainers", ADMIN_TOKEN, Map.of("user", maintainer))
						.status())
				.isEqualTo(201);

			holdDeliveries(subscriptions, false);
			// the subscriber is down: attempts fail and are retried with backoff
			await(() -> subscriptions.stream()
				.allMatch((id) -> api().get("/api/v1/webhooks/" + id, ADMIN_TOKEN)
					.json()
					.path("failed_attempts")
					.asInt() >= 3));
			List<Received> received = Collections.synchronizedList(new ArrayList<>());
			HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
			receiver.createContext("/", (exchange) -> {
				received.add(new Received(exchange.getRequestURI().getPath(),
						exchange.getRequestHeaders().getFirst("X-Pgext-Signature"),
						exchange.getRequestBody().readAllBytes()));
				exchange.sendResponseHeaders(204, -1);
				exchange.close();
			});
			receiver.start();
			try {
				long lastEvent = this.jdbc.sql("select max(id) from event").query(Long.class).single();
				await(() -> this.jdbc.sql("select min(cursor) from webhook_subscription where id = any(?)")
					.param(subscriptions.toArray(Long[]::new))
					.query(Long.class)
					.single() >= lastEvent);
			}
			finally {
				receiver.stop(0);
			}

			List<Long> expected = this.jdbc
				.sql("select id from event where id > ? and type in ('release.published', 'maintainer.added') "
						+ "and tenant is null order by id")
				.param(firstCursor)
				.query(Long.class)
				.list();
			assertThat(expected).hasSizeGreaterThanOrEqualTo(7);
			for (String path : List.of("/a", "/b")) {
				String secret = path.equals("/a") ? SECRET_A : SECRET_B;
				List<Received> mine = received.stream().filter((r) -> r.path().equals(path)).toList();
				assertThat(mine).extracting(Received::eventId)
					.as("events at %s, in order, each once", path)
					.containsExactlyElementsOf(expected);
				for (Received request : mine) {
					assertThat(signatureValid(request, secret)).as("signature of event %d", request.eventId()).isTrue();
					assertThat(signatureValid(request, path.equals("/a") ? SECRET_B : SECRET_A)).isFalse();
				}
				// and as a subscriber following docs/registry.md checks it
				assertThat(documentedPythonVerify(mine.get(0), secret, path.equals("/a") ? SECRET_B : SECRET_A))
					.isEqualTo("True False False");
				List<String> subjects = mine.stream()
					.map((r) -> JSON.readTree(r.body()))
					.filter((event) -> event.path("subject").asString().startsWith("hook_"))
					.map((event) -> event.path("type").asString() + " " + event.path("subject").asString())
					.toList();
				assertThat(subjects).containsExactly("release.published hook_0", "release.published hook_1",
						"release.published hook_2", "release.published hook_3", "release.published hook_4",
						"release.published hook_5", "maintainer.added hook_0");
			}
			JsonNode published = JSON.readTree(received.stream()
				.filter((r) -> JSON.readTree(r.body()).path("subject").asString().equals("hook_3"))
				.findFirst()
				.orElseThrow()
				.body());
			assertThat(published.path("data").path("version").asString()).isEqualTo("1.0.0");
			assertThat(published.path("data").path("extensions").get(0).path("name").asString()).isEqualTo("hook_3");
		}
	}

	@Test
	void anEventTheSubscriberNeverTakesIsDeadLetteredAndCanBeRedeliveredByHand() throws Exception {
		AtomicInteger status = new AtomicInteger(500);
		List<Received> received = Collections.synchronizedList(new ArrayList<>());
		HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		receiver.createContext("/", (exchange) -> {
			byte[] body = exchange.getRequestBody().readAllBytes();
			if (status.get() == 204) {
				received.add(new Received(exchange.getRequestURI().getPath(),
						exchange.getRequestHeaders().getFirst("X-Pgext-Signature"), body));
			}
			exchange.sendResponseHeaders(status.get(), -1);
			exchange.close();
		});
		receiver.start();
		try {
			String owner = userToken("hook-owner", null, "publish");
			long subscription = subscribe(owner, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
					SECRET_A);
			assertThat(publish(owner, null, TestArtifacts.metadata("hook_dead", "1.0"),
					Map.of("pg15", TestArtifacts.sqlExtension("hook_dead").tarGz()))
				.status()).isEqualTo(201);
			await(() -> api().get("/api/v1/webhooks/" + subscription + "/dead-letters", owner).json().size() == 1);
			JsonNode dead = api().get("/api/v1/webhooks/" + subscription + "/dead-letters", owner).json().get(0);
			assertThat(dead.path("type").asString()).isEqualTo("release.published");
			assertThat(dead.path("attempts").asInt()).isEqualTo(15);
			assertThat(dead.path("last_error").asString()).isEqualTo("HTTP 500");
			long eventId = dead.path("event_id").asLong();

			assertThat(api()
				.get("/api/v1/webhooks/" + subscription + "/dead-letters", userToken("hook-stranger", null, "publish"))
				.status()).isEqualTo(404);
			status.set(204);
			RegistryClient.Response accepted = api().postJson(
					"/api/v1/webhooks/" + subscription + "/dead-letters/" + eventId + "/redeliver", owner, Map.of());
			assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
			String location = accepted.headers().getLocation().toString();
			assertThat(location).startsWith("/api/v1/operations/");
			JsonNode operation = awaitOperation(location, owner);
			assertThat(operation.path("state").asString()).as(operation.toString()).isEqualTo("succeeded");
			assertThat(operation.path("result").path("delivered").asBoolean()).isTrue();
			assertThat(received).singleElement().satisfies((request) -> {
				assertThat(request.eventId()).isEqualTo(eventId);
				assertThat(signatureValid(request, SECRET_A)).isTrue();
			});
			assertThat(api().get("/api/v1/webhooks/" + subscription + "/dead-letters", owner)
				.json()
				.get(0)
				.path("redelivered_at")
				.isMissingNode()).isFalse();
		}
		finally {
			receiver.stop(0);
		}
	}

	@Test
	void aSubscriptionNeedsAnHttpUrlAndKnownEventTypes() {
		RegistryClient.Response ftp = api().postJson("/api/v1/webhooks", ADMIN_TOKEN, Map.of("url",
				"ftp://example.invalid/hook", "event_types", List.of("release.published"), "secret", SECRET_A));
		assertThat(ftp.status()).isEqualTo(400);
		assertThat(ftp.problemType()).isEqualTo("https://pgext.dev/problems/invalid-webhook");
		RegistryClient.Response unknown = api().postJson("/api/v1/webhooks", ADMIN_TOKEN,
				Map.of("url", "http://127.0.0.1:9/hook", "event_types", List.of("release.eaten"), "secret", SECRET_A));
		assertThat(unknown.status()).isEqualTo(400);
		assertThat(unknown.problemType()).isEqualTo("https://pgext.dev/problems/invalid-webhook");
		assertThat(
				api()
					.postJson("/api/v1/webhooks", null,
							Map.of("url", "http://127.0.0.1:9/hook", "event_types", List.of("release.published"),
									"secret", SECRET_A))
					.status())
			.isEqualTo(401);
	}

	@Test
	void theAtomFeedListsNewPublicReleases() {
		assertThat(publish(ADMIN_TOKEN, null, TestArtifacts.metadata("hook_feed", "2.5"),
				Map.of("pg15", TestArtifacts.sqlExtension("hook_feed").tarGz()))
			.status()).isEqualTo(201);
		RegistryClient.Response feed = api().get("/api/v1/feeds/releases.atom", null);
		assertThat(feed.status()).isEqualTo(200);
		assertThat(feed.headers().getContentType().toString()).startsWith("application/atom+xml");
		assertThat(feed.text()).contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
			.contains("<title>hook_feed 2.5.0</title>")
			.contains("href=\"/api/v1/distributions/hook_feed/versions/2.5.0\"");
	}

	private long subscribe(String url, String secret) {
		return subscribe(ADMIN_TOKEN, url, secret);
	}

	private long subscribe(String token, String url, String secret) {
		RegistryClient.Response created = api().postJson("/api/v1/webhooks", token,
				Map.of("url", url, "event_types", List.of("release.published", "maintainer.added"), "secret", secret));
		assertThat(created.status()).as(created.toString()).isEqualTo(201);
		assertThat(created.text()).doesNotContain(secret);
		return created.json().path("id").asLong();
	}

	/**
	 * The Python {@code verify} of docs/registry.md's Signature section, run by
	 * {@code python3} on {@code request}: with {@code secret}, with {@code otherSecret},
	 * and with {@code secret} on the body with one byte more.
	 */
	private static String documentedPythonVerify(Received request, String secret, String otherSecret)
			throws IOException, InterruptedException {
		Optional<Path> python = Executables.onPath("python3");
		OutsideTools.require(python.isPresent(),
				"python3 is not installed (apt-get install python3; .ci/run has it with pgxnclient)");
		String docs = Files.readString(Path.of("..", "docs", "registry.md"));
		String section = docs.substring(docs.indexOf("**Signature.**"));
		int start = section.indexOf("```python\n") + "```python\n".length();
		String verify = section.substring(start, section.indexOf("```", start));
		Path dir = Files.createTempDirectory("webhook-verify");
		try {
			Path body = Files.write(dir.resolve("body"), request.body());
			Path script = Files.writeString(dir.resolve("verify.py"), verify + "\nimport sys\n"
					+ "secret, other, header, path = sys.argv[1:5]\n" + "body = open(path, 'rb').read()\n"
					+ "print(verify(secret, header, body), verify(other, header, body), verify(secret, header, body + b' '))\n");
			Process process = new ProcessBuilder(python.get().toString(), script.toString(), secret, otherSecret,
					request.signature(), body.toString())
				.redirectErrorStream(true)
				.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
			assertThat(process.waitFor()).as(output).isZero();
			return output;
		}
		finally {
			FileSystemUtils.deleteRecursively(dir);
		}
	}

	/** What a subscriber does: recompute the HMAC over "t.body" and compare. */
	private static boolean signatureValid(Received request, String secret) throws Exception {
		Map<String, String> parts = new java.util.HashMap<>();
		for (String part : request.signature().split(",")) {
			String[] pair = part.split("=", 2);
			parts.put(pair[0], pair[1]);
		}
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		mac.update((parts.get("t") + ".").getBytes(StandardCharsets.UTF_8));
		return HexFormat.of().formatHex(mac.doFinal(request.body())).equals(parts.get("v1"));
	}

	private ConfigurableApplicationContext secondInstance() {
		TestDatabase database = TestInfrastructure.database(RegistryIntegrationTest.class);
		TestBucket bucket = TestInfrastructure.bucket(RegistryIntegrationTest.class);
		// command-line arguments, so that they win over application.yaml like the test's
		// own
		// dynamic properties do
		Map<String, String> properties = Map.ofEntries(Map.entry("server.port", "0"),
				Map.entry("spring.datasource.url", database.jdbcUrl()),
				Map.entry("spring.datasource.username", database.username()),
				Map.entry("spring.datasource.password", database.password()),
				Map.entry("pgext.registry.s3.endpoint", bucket.endpoint().toString()),
				Map.entry("pgext.registry.s3.bucket", bucket.name()),
				Map.entry("pgext.registry.s3.access-key", bucket.accessKey()),
				Map.entry("pgext.registry.s3.secret-key", bucket.secretKey()),
				Map.entry("pgext.registry.admin.token", ADMIN_TOKEN),
				Map.entry("pgext.registry.signing.private-key-file",
						RegistryTestInfrastructure.signingKeyFile().toString()),
				Map.entry("pgext.registry.jobs.poll-interval", "100ms"),
				Map.entry("pgext.registry.webhooks.retry-base", "100ms"),
				Map.entry("pgext.registry.webhooks.retry-max", "300ms"),
				Map.entry("pgext.registry.webhooks.max-attempts", "15"),
				Map.entry("pgext.registry.webhooks.allow-private-addresses", "true"));
		return new SpringApplicationBuilder(RegistryApplication.class).run(properties.entrySet()
			.stream()
			.map((e) -> "--" + e.getKey() + "=" + e.getValue())
			.toArray(String[]::new));
	}

	private void holdDeliveries(List<Long> subscriptions, boolean hold) {
		this.jdbc
			.sql("update webhook_subscription set next_attempt_at = case when ? then now() + interval '1 hour' "
					+ "else now() end where id = any(?)")
			.params(hold, subscriptions.toArray(Long[]::new))
			.update();
	}

	private static void await(Callable<Boolean> condition) {
		Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(condition);
	}

}
