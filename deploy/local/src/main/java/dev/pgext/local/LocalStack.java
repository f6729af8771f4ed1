package dev.pgext.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.web.client.RestClient;

import dev.pgext.importer.PgdataImporterApplication;
import dev.pgext.loader.LoaderApplication;
import dev.pgext.local.LocalStackSettings.Ports;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.model.signing.SigningKey;
import dev.pgext.model.store.ObjectStoreSettings;
import dev.pgext.model.store.S3ObjectStore;
import dev.pgext.registry.RegistryApplication;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.EmbeddedPostgresServer;
import dev.pgext.testsupport.EmbeddedS3Server;
import dev.pgext.testsupport.PostgresInstalls;
import dev.pgext.testsupport.StopOnSignal;

/**
 * The whole suite on one machine, on embedded defaults and real parts: an embedded
 * PostgreSQL for the registry, an in-process S3 endpoint on a local directory, the
 * registry (seeded on first start with the real contrib extensions of the PostgreSQL 15
 * binaries, published through its own API), the PGDATA importer, and one compute: an
 * extension loader that starts a real PostgreSQL 15 with {@code pg_stat_statements}
 * preloaded and fetches everything else on demand. Everything it keeps lives under
 * {@code .pgext/local-stack}; a second start reuses it. It says it is up only once every
 * part answers, and otherwise which part failed and why. The registry and the importer
 * listen on loopback unless {@code pgext.local.bind-address} says otherwise
 * ({@link LocalStackSettings}). Ctrl-C stops everything.
 */
public final class LocalStack {

	private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

	private static final JsonMapper JSON = DocumentJson.COMPACT;

	private static final MediaType GZIP = MediaType.parseMediaType("application/gzip");

	static final String EXTENSIONS_BUCKET = "pgext-extensions";

	static final String IMPORTS_BUCKET = "pgext-imports";

	static final String LAYERS_BUCKET = "pgext-layers";

	static final int PG_MAJOR = 15;

	/** The extension the compute preloads: always seeded. */
	static final String PRELOADED = "pg_stat_statements";

	/** Contrib extensions packed and published at the same time on a first start. */
	private static final int SEED_THREADS = 3;

	private static final ServiceThreads.ServiceGroup REGISTRY = new ServiceThreads.ServiceGroup("registry-api");

	private static final ServiceThreads.ServiceGroup LOADER = new ServiceThreads.ServiceGroup("extension-loader");

	private static final ServiceThreads.ServiceGroup IMPORTER = new ServiceThreads.ServiceGroup("pgdata-importer");

	private final Path data;

	private final Ports ports;

	private final String bindAddress;

	/** Where the registry and the importer are reached from this machine. */
	private final String serviceAddress;

	private final Duration startTimeout;

	/** What has been started, in order; stopped in reverse. */
	private final List<Running> running = new ArrayList<>();

	private boolean stopped;

	/** The contrib extensions the first start publishes; empty for all. */
	private final List<String> seed;

	/**
	 * One started part and the service group its stop runs in (its log lines keep its
	 * tag).
	 */
	private record Running(AutoCloseable part, ServiceThreads.ServiceGroup group) {

	}

	LocalStack(LocalStackSettings settings) {
		this.data = settings.data().toAbsolutePath().normalize();
		this.ports = settings.ports();
		this.bindAddress = settings.bindAddress();
		this.serviceAddress = settings.serviceAddress();
		this.startTimeout = settings.startTimeout();
		this.seed = settings.seed();
	}

	/**
	 * Starts the stack; on a failure says which part failed and why, stops what had
	 * started and exits with status 1. SIGINT and SIGTERM stop it with status 0.
	 */
	public static void main(String[] args) {
		LocalStack stack;
		try {
			stack = new LocalStack(LocalStackSettings.from(System.getProperties()));
		}
		catch (IllegalArgumentException ex) {
			System.err.println("pgext local stack: " + ex.getMessage());
			System.exit(2);
			return;
		}
		Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "pgext-local-stack-stop"));
		StopOnSignal.install();
		try {
			stack.start();
		}
		catch (RuntimeException ex) {
			log.debug("start-up failed", ex);
			System.err.printf("%npgext local stack did not start: %s%n%n", ex.getMessage());
			stack.stop();
			System.exit(1);
		}
	}

	void start() {
		try {
			Files.createDirectories(this.data);
			StackCheck.requireFreePorts(this.bindAddress, portUses());
			// what the first start publishes, checked before anything starts
			List<String> seeding = Files.exists(seededMarker()) ? List.of()
					: seedNames(contribNames(PostgresInstalls.shared(PG_MAJOR)), this.seed);
			log.info("starting the registry's PostgreSQL and the S3 endpoint (data in {})", this.data);
			EmbeddedPostgresServer registryDb = startPart("registry database",
					() -> EmbeddedPostgresServer.start(this.data.resolve("registry-db"), 0));
			track(registryDb, null);
			EmbeddedS3Server s3 = startPart("S3",
					() -> EmbeddedS3Server.start(this.data.resolve("s3"), this.ports.s3()));
			track(s3, null);
			for (String bucket : List.of(EXTENSIONS_BUCKET, IMPORTS_BUCKET, LAYERS_BUCKET)) {
				try (S3ObjectStore store = S3ObjectStore.create(s3Settings(bucket))) {
					store.createBucketIfMissing();
				}
			}
			String adminToken = adminToken();
			signingKey();

			log.info("starting the registry on {}:{}", this.bindAddress, this.ports.registry());
			track(startPart("registry", () -> registry(registryDb, adminToken)), REGISTRY);
			seedContribExtensions(adminToken, seeding);

			log.info("starting the importer on {}:{}", this.bindAddress, this.ports.importer());
			track(startPart("importer", this::importer), IMPORTER);
			track(startPart("loader", () -> compute(adminToken)), LOADER);
			log.info("waiting for the compute (PostgreSQL {} on 127.0.0.1:{}) and checking every part", PG_MAJOR,
					this.ports.compute());
			new StackCheck().awaitAll(parts(), this.startTimeout);
			printNextSteps(adminToken);
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

	/** The ports of every part, checked free before anything starts. */
	private List<StackCheck.PortUse> portUses() {
		return List.of(new StackCheck.PortUse("S3", this.ports.s3(), "pgext.local.s3-port", true),
				new StackCheck.PortUse("registry", this.ports.registry(), "pgext.local.registry-port", false),
				new StackCheck.PortUse("importer", this.ports.importer(), "pgext.local.importer-port", false),
				new StackCheck.PortUse("loader", this.ports.loader(), "pgext.local.loader-port", true),
				new StackCheck.PortUse("compute", this.ports.compute(), "pgext.local.compute-port", true));
	}

	/** What must answer before the stack says it is up. */
	private List<StackCheck.Part> parts() {
		StackCheck check = new StackCheck();
		String local = "http://" + LocalStackSettings.LOOPBACK + ":";
		return List.of(new StackCheck.Part("S3", local + this.ports.s3(), () -> {
			for (String bucket : List.of(EXTENSIONS_BUCKET, IMPORTS_BUCKET, LAYERS_BUCKET)) {
				try (S3ObjectStore store = S3ObjectStore.create(s3Settings(bucket))) {
					store.checkBucket();
				}
			}
			return Optional.empty();
		}), new StackCheck.Part("registry", registryUrl(), check.health(registryUrl())),
				new StackCheck.Part("importer", importerUrl(), check.health(importerUrl())),
				new StackCheck.Part("compute",
						"127.0.0.1:%d (as the loader reports at %s/status)".formatted(this.ports.compute(),
								local + this.ports.loader()),
						check.loader(local + this.ports.loader())),
				new StackCheck.Part("compute", "PostgreSQL on 127.0.0.1:" + this.ports.compute(),
						StackCheck.postgres(this.ports.compute())));
	}

	/** Starts one part; a failure names the part. */
	private static <T> T startPart(String part, Callable<T> starter) {
		try {
			return starter.call();
		}
		catch (StackStartException ex) {
			throw ex;
		}
		catch (Exception ex) {
			Throwable root = ex;
			while (root.getCause() != null && root.getCause() != root) {
				root = root.getCause();
			}
			throw new StackStartException(part, "did not start: " + root.getMessage(), ex);
		}
	}

	private synchronized void track(AutoCloseable part, ServiceThreads.ServiceGroup group) {
		if (this.stopped) {
			// stopped (Ctrl-C) while this part was starting
			closeQuietly(new Running(part, group));
			throw new StackStartException("stack", "stopped while starting");
		}
		this.running.add(new Running(part, group));
	}

	synchronized void stop() {
		this.stopped = true;
		for (int i = this.running.size() - 1; i >= 0; i--) {
			closeQuietly(this.running.get(i));
		}
		this.running.clear();
	}

	private static void closeQuietly(Running running) {
		try {
			if (running.group() != null) {
				ServiceThreads.call(running.group(), () -> {
					running.part().close();
					return null;
				});
			}
			else {
				running.part().close();
			}
		}
		catch (Exception ex) {
			log.warn("stopping {} failed: {}", running.part(), ex.getMessage());
		}
	}

	private ObjectStoreSettings s3Settings(String bucket) {
		return ObjectStoreSettings.of(s3Endpoint(), bucket, EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY);
	}

	private URI s3Endpoint() {
		return URI.create("http://" + LocalStackSettings.LOOPBACK + ":" + this.ports.s3());
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

	/**
	 * The registry's signing key: made on first start ({@code signing.pem}, its public
	 * key in {@code signing.pem.pub}), kept for the next, so what the loader verified
	 * stays valid.
	 */
	private Path signingKey() throws IOException {
		Path file = this.data.resolve("signing.pem");
		if (!Files.exists(file) || !Files.exists(signingPublicKey())) {
			SigningKey.generate().write(file);
		}
		return file;
	}

	private Path signingPublicKey() {
		return this.data.resolve("signing.pem.pub");
	}

	private ConfigurableApplicationContext registry(EmbeddedPostgresServer db, String adminToken) {
		Map<String, Object> properties = ServiceConfig.base(RegistryApplication.class, this.ports.registry());
		properties.put("server.address", this.bindAddress);
		properties.put("spring.datasource.url", db.jdbcUrl("postgres"));
		properties.put("spring.datasource.username", db.username());
		properties.put("pgext.registry.s3.endpoint", s3Endpoint().toString());
		properties.put("pgext.registry.s3.bucket", EXTENSIONS_BUCKET);
		properties.put("pgext.registry.s3.access-key", EmbeddedS3Server.ACCESS_KEY);
		properties.put("pgext.registry.s3.secret-key", EmbeddedS3Server.SECRET_KEY);
		properties.put("pgext.registry.admin.token", adminToken);
		properties.put("pgext.registry.signing.private-key-file", this.data.resolve("signing.pem").toString());
		// a developer stack: Prometheus (deploy/observability) scrapes its metrics
		// without a token
		properties.put("pgext.registry.actuator.public-metrics", "true");
		// and its webhooks may go to a receiver on this machine, while it listens on
		// loopback only
		properties.put("pgext.registry.webhooks.allow-private-addresses",
				Boolean.toString(isLoopback(this.bindAddress)));
		return ServiceConfig.run(REGISTRY, RegistryApplication.class, properties);
	}

	private static boolean isLoopback(String address) {
		try {
			return InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	/**
	 * Publishes the contrib extensions of the PostgreSQL 15 binaries {@code names} (every
	 * one unless {@code pgext.local.seed} picks some) once, through the registry's API, a
	 * few at a time (packing an extension and the registry's publish wait on different
	 * things, so a small pool shortens the first start).
	 */
	private void seedContribExtensions(String adminToken, List<String> names) throws IOException {
		Path marker = seededMarker();
		if (Files.exists(marker)) {
			return;
		}
		PostgresInstall install = PostgresInstalls.shared(PG_MAJOR);
		RestClient http = RestClient.create();
		log.info("seeding 0/{} contrib extensions of PostgreSQL {}", names.size(), PG_MAJOR);
		AtomicInteger done = new AtomicInteger();
		List<String> failed = Collections.synchronizedList(new ArrayList<>());
		AtomicInteger threads = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(SEED_THREADS,
				(task) -> new Thread(task, "seed-" + threads.incrementAndGet()));
		try {
			List<Future<?>> publishes = new ArrayList<>();
			for (String name : names) {
				publishes.add(pool.submit(() -> {
					// null when published now or before (409), else what the registry
					// answered
					String refusal = publishContrib(http, adminToken, install, name);
					if (refusal != null) {
						failed.add(name + " (" + refusal + ")");
					}
					int now = done.incrementAndGet();
					if (now % 10 == 0 && now < names.size()) {
						log.info("seeding {}/{} contrib extensions of PostgreSQL {}", now, names.size(), PG_MAJOR);
					}
					return null;
				}));
			}
			for (Future<?> publish : publishes) {
				awaitSeed(publish);
			}
		}
		finally {
			pool.shutdownNow();
		}
		int published = names.size() - failed.size();
		log.info("Seeded the registry with {} contrib extensions of PostgreSQL {}", published, PG_MAJOR);
		if (failed.isEmpty()) {
			Files.writeString(marker, published + "\n");
		}
		else {
			// no marker: the next start tries again (already published ones answer 409)
			log.warn("Not published, retried at the next start: {}", failed.stream().sorted().toList());
		}
	}

	private static void awaitSeed(Future<?> publish) throws IOException {
		try {
			publish.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while seeding the registry", ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw io;
			}
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IOException(ex.getCause());
		}
	}

	/**
	 * Publishes one contrib extension; null when published now or before, else why not.
	 */
	private String publishContrib(RestClient http, String adminToken, PostgresInstall install, String name)
			throws IOException {
		ContribExtension extension = ContribExtension.of(install, name);
		String version = extension.control().defaultVersion();
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("name", name);
		metadata.put("version", version);
		metadata.put("abstract", (extension.control().comment() != null) ? extension.control().comment() : name);
		metadata.put("license", "postgresql");
		metadata.put("maintainer", "PostgreSQL Global Development Group");
		metadata.put("tags", List.of("contrib"));
		if (name.equals(PRELOADED)) {
			metadata.put("provides", Map.of(name,
					Map.of("file", name + "--" + version + ".sql", "version", version, "preload", "server")));
		}
		metadata.put("meta-spec", Map.of("version", "1.0.0", "url", "https://pgxn.org/meta/spec.txt"));
		MultipartBodyBuilder body = new MultipartBodyBuilder();
		body.part("metadata", JSON.writeValueAsBytes(metadata), MediaType.APPLICATION_JSON).filename("META.json");
		body.part("pg" + PG_MAJOR, extension.tarGz(), GZIP).filename(name + ".tar.gz");
		return http.post()
			.uri(registryUrl() + "/api/v1/releases")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + adminToken)
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.body(body.build())
			.exchange((request, response) -> {
				int status = response.getStatusCode().value();
				return (status == 201 || status == 409) ? null : status + ": " + response.bodyTo(String.class);
			});
	}

	private Path seededMarker() {
		return this.data.resolve("seeded");
	}

	/**
	 * The extensions to seed: every contrib one when {@code wanted} is empty, else those
	 * named and {@link #PRELOADED}, which the compute cannot start without.
	 * @throws IllegalArgumentException naming what is no contrib extension here
	 */
	static List<String> seedNames(List<String> contrib, List<String> wanted) {
		if (wanted.isEmpty()) {
			return contrib;
		}
		List<String> unknown = wanted.stream().filter((name) -> !contrib.contains(name)).toList();
		if (!unknown.isEmpty()) {
			throw new IllegalArgumentException(
					"pgext.local.seed names " + String.join(", ", unknown) + ", not a contrib extension of PostgreSQL "
							+ PG_MAJOR + " (those are: " + String.join(", ", contrib) + ")");
		}
		return contrib.stream().filter((name) -> name.equals(PRELOADED) || wanted.contains(name)).toList();
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

	private ConfigurableApplicationContext importer() throws IOException {
		Map<String, Object> properties = ServiceConfig.base(PgdataImporterApplication.class, this.ports.importer());
		properties.put("server.address", this.bindAddress);
		properties.put("spring.autoconfigure.exclude", ServiceConfig.NO_DATABASE);
		properties.put("pgext.importer.s3.endpoint", s3Endpoint().toString());
		properties.put("pgext.importer.s3.bucket", LAYERS_BUCKET);
		properties.put("pgext.importer.s3.access-key", EmbeddedS3Server.ACCESS_KEY);
		properties.put("pgext.importer.s3.secret-key", EmbeddedS3Server.SECRET_KEY);
		properties.put("pgext.importer.instance-id", "local-importer");
		properties.put("pgext.importer.work-dir",
				Files.createDirectories(this.data.resolve("importer-work")).toString());
		return ServiceConfig.run(IMPORTER, PgdataImporterApplication.class, properties);
	}

	/**
	 * The compute: a PostgreSQL 15 installation without its contrib extensions (the
	 * loader brings them), a data directory, a spec, and the loader that starts it.
	 */
	private ConfigurableApplicationContext compute(String adminToken) throws IOException {
		Path computeDir = Files.createDirectories(this.data.resolve("compute"));
		Path installDir = computeDir.resolve("install");
		if (!Files.exists(installDir)) {
			log.info("preparing the compute's PostgreSQL {} installation without its contrib extensions", PG_MAJOR);
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
		computeSpec.put("shared_preload_libraries", List.of(PRELOADED));
		computeSpec.put("settings", Map.of("pg_stat_statements.track", "all"));
		Files.write(spec, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(computeSpec));

		Map<String, Object> properties = ServiceConfig.base(LoaderApplication.class, this.ports.loader());
		properties.put("spring.autoconfigure.exclude", ServiceConfig.NO_DATABASE);
		properties.put("pgext.loader.spec-file", spec.toString());
		properties.put("pgext.loader.source", "registry");
		properties.put("pgext.loader.registry.url", registryUrl());
		properties.put("pgext.loader.registry.token", adminToken);
		properties.put("pgext.loader.cache-dir", Files.createDirectories(this.data.resolve("node-cache")).toString());
		properties.put("pgext.loader.trust.public-keys", signingPublicKey().toString());
		log.info("building the pgext_loader hook");
		Optional<Path> hook = HookBuild.build(this.data.resolve("pg-hook"));
		if (hook.isPresent()) {
			// the hook makes Postgres ask for what it lacks: no need to fetch everything
			// ahead
			properties.put("pgext.loader.hook.library", hook.get().toString());
			properties.put("pgext.loader.hook.server", "127.0.0.1:" + this.ports.loader());
			properties.put("pgext.loader.prefetch", false);
		}
		log.info("starting the loader on 127.0.0.1:{}; it starts the compute", this.ports.loader());
		return ServiceConfig.run(LOADER, LoaderApplication.class, properties);
	}

	private void printNextSteps(String adminToken) {
		String text = """

				pgext local stack is up (data in %1$s)

				  registry      %2$s   (OpenAPI: %2$s/swagger-ui.html)
				  admin token   %3$s
				                export PGEXT_TOKEN=$(cat %1$s/admin-token)
				  compute       psql -h 127.0.0.1 -p %4$d -U postgres postgres
				  loader        http://127.0.0.1:%5$d/status
				  importer      %6$s/actuator/health
				  S3            %7$s  (access key %8$s, secret %9$s; buckets %10$s, %11$s, %12$s)
				  signing key   %1$s/signing.pem.pub  (trusted by the loader; for bundle-builder fetch:
				                export PGEXT_BUNDLE_TRUST_PUBLIC_KEYS=%1$s/signing.pem.pub)

				Try:  psql -h 127.0.0.1 -p %4$d -U postgres -c 'CREATE EXTENSION hstore' -c "SELECT 'a=>1'::hstore"
				Stop: Ctrl-C
				""".formatted(this.data, registryUrl(), adminToken, this.ports.compute(), this.ports.loader(),
				importerUrl(), s3Endpoint(), EmbeddedS3Server.ACCESS_KEY, EmbeddedS3Server.SECRET_KEY,
				EXTENSIONS_BUCKET, IMPORTS_BUCKET, LAYERS_BUCKET);
		System.out.println(text);
	}

	/** The registry's URL as seen from this machine. */
	private String registryUrl() {
		return "http://" + this.serviceAddress + ":" + this.ports.registry();
	}

	private String importerUrl() {
		return "http://" + this.serviceAddress + ":" + this.ports.importer();
	}

}
