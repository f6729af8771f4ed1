package dev.pgext.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

import dev.pgext.importer.PgdataImporterApplication;
import dev.pgext.loader.LoaderApplication;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.registry.RegistryApplication;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.EmbeddedPostgresServer;
import dev.pgext.testsupport.EmbeddedS3Server;
import dev.pgext.testsupport.PostgresInstalls;

/**
 * The whole suite on one machine, on embedded defaults and real parts: an embedded PostgreSQL
 * for the registry, an in-process S3 endpoint on a local directory, the registry (seeded on
 * first start with the real contrib extensions of the PostgreSQL 15 binaries, published
 * through its own API), the PGDATA importer, and one compute: an extension loader that starts
 * a real PostgreSQL 15 with {@code pg_stat_statements} preloaded and fetches everything else
 * on demand. Everything it keeps lives under {@code .pgext/local-stack}; a second start reuses
 * it. Ctrl-C stops everything.
 */
public final class LocalStack {

	private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * The ports of the stack; each can be changed with a system property such as
	 * {@code -Dpgext.local.registry-port=18080}.
	 */
	record Ports(int registry, int loader, int importer, int s3, int compute) {

		static Ports fromSystemProperties() {
			return new Ports(Integer.getInteger("pgext.local.registry-port", 8080),
					Integer.getInteger("pgext.local.loader-port", 8081),
					Integer.getInteger("pgext.local.importer-port", 8082), Integer.getInteger("pgext.local.s3-port", 9000),
					Integer.getInteger("pgext.local.compute-port", 55432));
		}

	}

	static final String EXTENSIONS_BUCKET = "pgext-extensions";

	static final String IMPORTS_BUCKET = "pgext-imports";

	static final String LAYERS_BUCKET = "pgext-layers";

	static final int PG_MAJOR = 15;

	private final Path data;

	private final Ports ports;

	private final List<AutoCloseable> running = new ArrayList<>();

	LocalStack(Path data, Ports ports) {
		this.data = data.toAbsolutePath().normalize();
		this.ports = ports;
	}

	public static void main(String[] args) {
		Path data = Path.of(System.getProperty("pgext.local.dir", ".pgext/local-stack"));
		LocalStack stack = new LocalStack(data, Ports.fromSystemProperties());
		Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "pgext-local-stack-stop"));
		stack.start();
	}

	void start() {
		try {
			Files.createDirectories(this.data);
			EmbeddedPostgresServer registryDb = EmbeddedPostgresServer.start(this.data.resolve("registry-db"), 0);
			this.running.add(registryDb);
			EmbeddedS3Server s3 = EmbeddedS3Server.start(this.data.resolve("s3"), this.ports.s3());
			this.running.add(s3);
			for (String bucket : List.of(EXTENSIONS_BUCKET, IMPORTS_BUCKET, LAYERS_BUCKET)) {
				S3ObjectStore store = S3ObjectStore.create(s3Settings(s3, bucket));
				store.createBucketIfMissing();
				store.client().close();
			}
			String adminToken = adminToken();

			ConfigurableApplicationContext registry = registry(registryDb, s3, adminToken);
			this.running.add(registry);
			seedContribExtensions(adminToken);

			this.running.add(importer(s3));
			this.running.add(compute(adminToken));
			printNextSteps(s3, adminToken);
		}
		catch (IOException ex) {
			stop();
			throw new UncheckedIOException(ex);
		}
		catch (RuntimeException ex) {
			stop();
			throw ex;
		}
	}

	void stop() {
		for (int i = this.running.size() - 1; i >= 0; i--) {
			try {
				this.running.get(i).close();
			}
			catch (Exception ex) {
				log.warn("stopping {} failed: {}", this.running.get(i), ex.getMessage());
			}
		}
		this.running.clear();
	}

	private static ObjectStoreSettings s3Settings(EmbeddedS3Server s3, String bucket) {
		return ObjectStoreSettings.of(s3.endpoint(), bucket, EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY);
	}

	/** The local administrator's token: made on first start, kept for the next. */
	private String adminToken() throws IOException {
		Path file = this.data.resolve("admin-token");
		if (Files.exists(file)) {
			return Files.readString(file).strip();
		}
		byte[] random = new byte[24];
		new SecureRandom().nextBytes(random);
		String token = "pgx_local_" + HexFormat.of().formatHex(random);
		Files.writeString(file, token + "\n");
		return token;
	}

	private ConfigurableApplicationContext registry(EmbeddedPostgresServer db, EmbeddedS3Server s3, String adminToken) {
		Map<String, Object> properties = ServiceConfig.base(RegistryApplication.class, this.ports.registry());
		properties.put("spring.datasource.url", db.jdbcUrl("postgres"));
		properties.put("spring.datasource.username", db.username());
		properties.put("pgext.registry.s3.endpoint", s3.endpoint().toString());
		properties.put("pgext.registry.s3.bucket", EXTENSIONS_BUCKET);
		properties.put("pgext.registry.s3.access-key", EmbeddedS3Server.ACCESS_KEY);
		properties.put("pgext.registry.s3.secret-key", EmbeddedS3Server.SECRET_KEY);
		properties.put("pgext.registry.admin.token", adminToken);
		// a developer stack: Prometheus (deploy/observability) scrapes its metrics without a token
		properties.put("pgext.registry.actuator.public-metrics", "true");
		return ServiceConfig.run(RegistryApplication.class, properties);
	}

	/** Publishes every contrib extension of the PostgreSQL 15 binaries once, through the registry's API. */
	private void seedContribExtensions(String adminToken) throws IOException {
		Path marker = this.data.resolve("seeded");
		if (Files.exists(marker)) {
			return;
		}
		PostgresInstall install = PostgresInstalls.shared(PG_MAJOR);
		HttpClient http = HttpClient.newHttpClient();
		int published = 0;
		List<String> failed = new ArrayList<>();
		for (String name : contribNames(install)) {
			ContribExtension extension = ContribExtension.of(install, name);
			String version = extension.control().defaultVersion();
			Map<String, Object> metadata = new LinkedHashMap<>();
			metadata.put("name", name);
			metadata.put("version", version);
			metadata.put("abstract", (extension.control().comment() != null) ? extension.control().comment() : name);
			metadata.put("license", "postgresql");
			metadata.put("maintainer", "PostgreSQL Global Development Group");
			metadata.put("tags", List.of("contrib"));
			if (name.equals("pg_stat_statements")) {
				metadata.put("provides", Map.of(name, Map.of("version", version, "preload", "server")));
			}
			Multipart body = new Multipart()
				.part("metadata", "META.json", "application/json", JSON.writeValueAsBytes(metadata))
				.part("pg" + PG_MAJOR, name + ".tar.gz", "application/gzip", extension.tarGz());
			HttpRequest request = HttpRequest.newBuilder(URI.create(registryUrl() + "/api/v1/releases"))
				.header("Authorization", "Bearer " + adminToken)
				.header("Content-Type", body.contentType())
				.POST(body.publisher())
				.build();
			try {
				HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 201 || response.statusCode() == 409) {
					published++;
				}
				else {
					failed.add(name + " (" + response.statusCode() + ": " + response.body() + ")");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while seeding", ex);
			}
		}
		log.info("Seeded the registry with {} contrib extensions of PostgreSQL {}", published, PG_MAJOR);
		if (failed.isEmpty()) {
			Files.writeString(marker, published + "\n");
		}
		else {
			// no marker: the next start tries again (already published ones answer 409)
			log.warn("Not published, retried at the next start: {}", failed);
		}
	}

	static List<String> contribNames(PostgresInstall install) throws IOException {
		try (Stream<Path> files = Files.list(install.extensionDir())) {
			return files.map((p) -> p.getFileName().toString())
				.filter((f) -> f.endsWith(".control"))
				.map((f) -> f.substring(0, f.length() - ".control".length()))
				.filter((n) -> !n.equals("plpgsql"))
				.sorted()
				.toList();
		}
	}

	private ConfigurableApplicationContext importer(EmbeddedS3Server s3) throws IOException {
		Map<String, Object> properties = ServiceConfig.base(PgdataImporterApplication.class, this.ports.importer());
		properties.put("spring.autoconfigure.exclude", ServiceConfig.NO_DATABASE);
		properties.put("pgext.importer.s3.endpoint", s3.endpoint().toString());
		properties.put("pgext.importer.s3.bucket", LAYERS_BUCKET);
		properties.put("pgext.importer.s3.access-key", EmbeddedS3Server.ACCESS_KEY);
		properties.put("pgext.importer.s3.secret-key", EmbeddedS3Server.SECRET_KEY);
		properties.put("pgext.importer.instance-id", "local-importer");
		properties.put("pgext.importer.work-dir", Files.createDirectories(this.data.resolve("importer-work")).toString());
		return ServiceConfig.run(PgdataImporterApplication.class, properties);
	}

	/**
	 * The compute: a PostgreSQL 15 installation without its contrib extensions (the loader
	 * brings them), a data directory, a spec, and the loader that starts it.
	 */
	private ConfigurableApplicationContext compute(String adminToken) throws IOException {
		Path computeDir = Files.createDirectories(this.data.resolve("compute"));
		Path installDir = computeDir.resolve("install");
		if (!Files.exists(installDir)) {
			PostgresInstall install = PostgresInstalls.copy(PG_MAJOR, installDir);
			for (String name : contribNames(install)) {
				for (String storePath : ContribExtension.of(install, name).files().keySet()) {
					Files.deleteIfExists(install.resolve(storePath));
				}
			}
		}
		Path spec = computeDir.resolve("spec.json");
		Map<String, Object> computeSpec = new LinkedHashMap<>();
		computeSpec.put("tenant", "acme");
		computeSpec.put("pg_major", PG_MAJOR);
		computeSpec.put("install_dir", installDir.toString());
		computeSpec.put("data_dir", computeDir.resolve("pgdata").toString());
		computeSpec.put("port", this.ports.compute());
		computeSpec.put("shared_preload_libraries", List.of("pg_stat_statements"));
		computeSpec.put("settings", Map.of("pg_stat_statements.track", "all"));
		Files.write(spec, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(computeSpec));

		Map<String, Object> properties = ServiceConfig.base(LoaderApplication.class, this.ports.loader());
		properties.put("spring.autoconfigure.exclude", ServiceConfig.NO_DATABASE);
		properties.put("pgext.loader.spec-file", spec.toString());
		properties.put("pgext.loader.source", "registry");
		properties.put("pgext.loader.registry.url", registryUrl());
		properties.put("pgext.loader.registry.token", adminToken);
		properties.put("pgext.loader.cache-dir", Files.createDirectories(this.data.resolve("node-cache")).toString());
		Optional<Path> hook = HookBuild.build(this.data.resolve("pg-hook"));
		if (hook.isPresent()) {
			// the hook makes Postgres ask for what it lacks: no need to fetch everything ahead
			properties.put("pgext.loader.hook.library", hook.get().toString());
			properties.put("pgext.loader.hook.server", "127.0.0.1:" + this.ports.loader());
			properties.put("pgext.loader.prefetch", false);
		}
		return ServiceConfig.run(LoaderApplication.class, properties);
	}

	private void printNextSteps(EmbeddedS3Server s3, String adminToken) {
		String text = """

				pgext local stack is up (data in %1$s)

				  registry      %2$s   (OpenAPI: %2$s/swagger-ui.html)
				  admin token   %3$s
				                export PGEXT_TOKEN=$(cat %1$s/admin-token)
				  compute       psql -h 127.0.0.1 -p %4$d -U postgres postgres
				  loader        http://127.0.0.1:%5$d/status
				  importer      http://127.0.0.1:%6$d/actuator/health
				  S3            %7$s  (access key %8$s, secret %9$s; buckets %10$s, %11$s, %12$s)

				Try:  psql -h 127.0.0.1 -p %4$d -U postgres -c 'CREATE EXTENSION hstore' -c "SELECT 'a=>1'::hstore"
				Stop: Ctrl-C
				""".formatted(this.data, registryUrl(), adminToken, this.ports.compute(), this.ports.loader(),
				this.ports.importer(), s3.endpoint(), EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY,
				EXTENSIONS_BUCKET, IMPORTS_BUCKET, LAYERS_BUCKET);
		System.out.println(text);
	}

	private String registryUrl() {
		return "http://127.0.0.1:" + this.ports.registry();
	}

}
