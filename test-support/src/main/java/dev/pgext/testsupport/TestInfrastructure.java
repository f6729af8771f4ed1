package dev.pgext.testsupport;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import dev.pgext.model.store.S3ObjectStore;

/**
 * One PostgreSQL server and one S3 endpoint per test JVM, started on first use, and a
 * fresh database and bucket per test class. Where they come from, in order:
 * <ol>
 * <li>{@code PGEXT_TEST_JDBC_URL} (with {@code PGEXT_TEST_JDBC_USER},
 * {@code PGEXT_TEST_JDBC_PASSWORD}) and {@code PGEXT_TEST_S3_ENDPOINT} (with
 * {@code PGEXT_TEST_S3_ACCESS_KEY}, {@code PGEXT_TEST_S3_SECRET_KEY}) when set;</li>
 * <li>Testcontainers (postgres and MinIO images) when a Docker engine answers;</li>
 * <li>embedded PostgreSQL from the relocatable binaries and an in-process s3proxy.</li>
 * </ol>
 */
public final class TestInfrastructure {

	private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);

	private static final AtomicInteger SEQUENCE = new AtomicInteger();

	private static final Map<Class<?>, TestDatabase> DATABASES = new ConcurrentHashMap<>();

	private static final Map<Class<?>, TestBucket> BUCKETS = new ConcurrentHashMap<>();

	private static Server postgres;

	private static S3 s3;

	private static Boolean docker;

	private TestInfrastructure() {
	}

	private record Server(String baseJdbcUrl, String username, String password, String source) {
	}

	private record S3(URI endpoint, String accessKey, String secretKey, String source) {
	}

	/** A database of its own for {@code testClass}, created on first call. */
	public static TestDatabase database(Class<?> testClass) {
		return DATABASES.computeIfAbsent(testClass, (c) -> createDatabase(name(c)));
	}

	/** A bucket of its own for {@code testClass}, created on first call. */
	public static TestBucket bucket(Class<?> testClass) {
		return BUCKETS.computeIfAbsent(testClass, (c) -> createBucket(name(c).replace('_', '-')));
	}

	/** A fresh database that belongs to nobody else. */
	public static TestDatabase newDatabase(String hint) {
		return createDatabase(name(hint));
	}

	/** A fresh bucket that belongs to nobody else. */
	public static TestBucket newBucket(String hint) {
		return createBucket(name(hint).replace('_', '-'));
	}

	/**
	 * Where the server and endpoint come from: {@code environment},
	 * {@code testcontainers} or {@code embedded}.
	 */
	public static synchronized String source() {
		return postgres().source() + "/" + s3().source();
	}

	private static String name(Class<?> testClass) {
		return name(testClass.getSimpleName());
	}

	private static String name(String hint) {
		String base = hint.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
		if (base.length() > 40) {
			base = base.substring(0, 40);
		}
		return "t" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet() + "_" + base;
	}

	private static TestDatabase createDatabase(String name) {
		Server server = postgres();
		try (Connection connection = DriverManager.getConnection(server.baseJdbcUrl(), server.username(),
				server.password()); Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE \"" + name + "\"");
		}
		catch (SQLException ex) {
			throw new IllegalStateException("could not create test database " + name + ": " + ex.getMessage(), ex);
		}
		return new TestDatabase(withDatabase(server.baseJdbcUrl(), name), server.username(), server.password());
	}

	private static TestBucket createBucket(String name) {
		S3 endpoint = s3();
		TestBucket bucket = new TestBucket(endpoint.endpoint(), endpoint.accessKey(), endpoint.secretKey(), name);
		S3ObjectStore store = bucket.objectStore();
		store.createBucketIfMissing();
		store.close();
		return bucket;
	}

	static String withDatabase(String jdbcUrl, String database) {
		int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
		int query = jdbcUrl.indexOf('?');
		String head = (slash >= 0) ? jdbcUrl.substring(0, slash)
				: ((query >= 0) ? jdbcUrl.substring(0, query) : jdbcUrl);
		String tail = (query >= 0) ? jdbcUrl.substring(query) : "";
		return head + "/" + database + tail;
	}

	private static synchronized Server postgres() {
		if (postgres == null) {
			String url = System.getenv("PGEXT_TEST_JDBC_URL");
			if (url != null && !url.isBlank()) {
				postgres = new Server(url, env("PGEXT_TEST_JDBC_USER", "postgres"), env("PGEXT_TEST_JDBC_PASSWORD", ""),
						"environment");
			}
			else if (dockerAvailable()) {
				PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
				container.start();
				postgres = new Server(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
						"testcontainers");
			}
			else {
				EmbeddedPostgresServer server = EmbeddedPostgresServer.start(null, 0);
				Runtime.getRuntime().addShutdownHook(new Thread(server::close, "pgext-test-postgres-stop"));
				postgres = new Server(server.jdbcUrl("postgres"), server.username(), "", "embedded");
			}
			log.info("Test PostgreSQL: {} ({})", postgres.baseJdbcUrl(), postgres.source());
		}
		return postgres;
	}

	private static synchronized S3 s3() {
		if (s3 == null) {
			String endpoint = System.getenv("PGEXT_TEST_S3_ENDPOINT");
			if (endpoint != null && !endpoint.isBlank()) {
				s3 = new S3(URI.create(endpoint), env("PGEXT_TEST_S3_ACCESS_KEY", null),
						env("PGEXT_TEST_S3_SECRET_KEY", null), "environment");
			}
			else if (dockerAvailable()) {
				MinIOContainer container = new MinIOContainer("minio/minio:latest");
				container.start();
				s3 = new S3(URI.create(container.getS3URL()), container.getUserName(), container.getPassword(),
						"testcontainers");
			}
			else {
				EmbeddedS3Server server = EmbeddedS3Server.start(null, 0);
				Runtime.getRuntime().addShutdownHook(new Thread(server::close, "pgext-test-s3-stop"));
				s3 = new S3(server.endpoint(), EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY, "embedded");
			}
			log.info("Test S3: {} ({})", s3.endpoint(), s3.source());
		}
		return s3;
	}

	private static synchronized boolean dockerAvailable() {
		if (docker == null) {
			if ("false".equalsIgnoreCase(System.getenv("PGEXT_TEST_DOCKER"))) {
				docker = false;
			}
			else if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
				// no engine configured and no local socket: skip the slow probe
				docker = false;
			}
			else {
				try {
					docker = DockerClientFactory.instance().isDockerAvailable();
				}
				catch (RuntimeException | LinkageError ex) {
					docker = false;
				}
			}
			log.info("Docker engine {}: {}", docker ? "available" : "not available",
					docker ? "using Testcontainers" : "using embedded PostgreSQL and in-process S3");
		}
		return docker;
	}

	private static String env(String name, String defaultValue) {
		String value = System.getenv(name);
		return (value != null) ? value : defaultValue;
	}

}
