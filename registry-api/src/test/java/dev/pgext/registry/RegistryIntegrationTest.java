package dev.pgext.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgext.model.StoreLayout;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;

/**
 * Base of the registry's integration tests: one application context, on one real database
 * and bucket, shared by every test class that extends this (the context cache keys on
 * this class's configuration). Tests use names of their own, so they do not depend on
 * each other's data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "pgext.registry.admin.token=" + RegistryIntegrationTest.ADMIN_TOKEN,
				"pgext.registry.publish.max-file-size=2MB", "pgext.registry.publish.max-total-size=8MB",
				"pgext.registry.publish.max-compression-ratio=40", "pgext.registry.publish.ratio-check-threshold=1MB",
				"pgext.registry.jobs.poll-interval=100ms", "pgext.registry.jobs.retry-base=100ms",
				"pgext.registry.jobs.retry-max=500ms", "pgext.registry.webhooks.retry-base=100ms",
				"pgext.registry.webhooks.retry-max=300ms", "pgext.registry.webhooks.max-attempts=15",
				// the tests' subscribers listen on loopback
				"pgext.registry.webhooks.allow-private-addresses=true",
				// a periodic full reconcile runs once at start; tests that plant strays
				// ask for their own
				"pgext.registry.projection.full-reconcile-interval=1h" })
@Import(FaultyObjectStore.Installed.class)
public abstract class RegistryIntegrationTest {

	protected static final String ADMIN_TOKEN = "pgx_integration-test-administrator-token";

	/**
	 * One client per registry port for the whole JVM: its connections are kept alive
	 * between calls. A client per call built its message converters (looking the XML
	 * factories up on the whole class path), a JDK HttpClient with its selector thread
	 * and a new connection each time, about 900 times in one run of this module's tests.
	 */
	private static final Map<Integer, RegistryClient> CLIENTS = new ConcurrentHashMap<>();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RegistryTestInfrastructure.register(registry, RegistryIntegrationTest.class);
	}

	@LocalServerPort
	protected int port;

	@Autowired
	protected ObjectStore store;

	@Autowired
	protected JdbcClient jdbc;

	@Autowired
	protected FaultyObjectStore faults;

	@AfterEach
	void healTheStore() {
		this.faults.heal();
	}

	/**
	 * Waits until no projection run is running or due within a minute (retries included):
	 * the store then shows the projection of everything committed so far. The first look
	 * is at once: after a refused publish, or a second wait in a row, there is nothing to
	 * wait for, and Awaitility's default first delay (one poll interval) cost 50 ms in
	 * each of the 150-odd calls of a run.
	 */
	protected void awaitProjections() {
		Awaitility.await("projection runs to finish")
			.atMost(Duration.ofSeconds(60))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.jdbc
				.sql("select count(*) from job where kind like 'projection.%' and (state = 'running' "
						+ "or (state = 'pending' and run_at < now() + interval '1 minute'))")
				.query(Long.class)
				.single() == 0);
	}

	protected RegistryClient api() {
		return CLIENTS.computeIfAbsent(this.port, (port) -> new RegistryClient("http://127.0.0.1:" + port));
	}

	protected RegistryClient.Response publish(String token, String tenant, String metadata,
			Map<String, byte[]> artifacts) {
		return api().publish(token, tenant, metadata, artifacts);
	}

	/**
	 * A new user with a token of the given scopes, for tests that need someone other than
	 * the administrator.
	 */
	protected String userToken(String name, String tenant, String... scopes) {
		api().postJson("/api/v1/users", ADMIN_TOKEN,
				(tenant != null) ? Map.of("name", name, "tenant", tenant) : Map.of("name", name));
		RegistryClient.Response token = api().postJson("/api/v1/tokens", ADMIN_TOKEN,
				Map.of("user", name, "scopes", List.of(scopes)));
		return token.json().path("token").asString();
	}

	/** The operation a 202 response points at, once it has ended. */
	protected tools.jackson.databind.JsonNode awaitOperation(String location, String token) {
		return Awaitility.await("operation " + location + " to end")
			.atMost(Duration.ofSeconds(60))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> api().get(location, token).json(), (operation) -> {
				String state = operation.path("state").asString();
				return !state.equals("pending") && !state.equals("running");
			});
	}

	/**
	 * What a failed publish must not change: every object in the bucket and the catalog's
	 * row counts.
	 */
	protected Snapshot snapshot() {
		awaitProjections();
		Map<String, String> objects = new TreeMap<>();
		for (ObjectInfo object : this.store.list("")) {
			if (object.key().startsWith(StoreLayout.MIRROR)) {
				// the mirror is refreshed in the background after each change
				continue;
			}
			objects.put(object.key(), object.etag());
		}
		Map<String, Long> rows = new TreeMap<>();
		for (String table : List.of("distribution", "distribution_maintainer", "extension_name", "release",
				"release_extension", "release_file", "catalog_entry", "bundle")) {
			rows.put(table, this.jdbc.sql("select count(*) from " + table).query(Long.class).single());
		}
		return new Snapshot(objects, rows);
	}

	/**
	 * The observable state of the registry.
	 *
	 * @param objects bucket key to ETag
	 * @param rows table to row count
	 */
	protected record Snapshot(Map<String, String> objects, Map<String, Long> rows) {
	}

}
