package dev.pgext.loader.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.pgext.loader.LoaderApplication;
import dev.pgext.loader.TestStores;
import dev.pgext.loader.hook.PgHookBuild;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.postgres.PostgresInstall;
import dev.pgext.testsupport.TestBucket;
import dev.pgext.testsupport.TestInfrastructure;

/**
 * What the {@code pgext_loader} hook adds to {@code CREATE EXTENSION}, per Postgres
 * major. Not a test: run it on purpose (docs/benchmarks.md has the command).
 * <ul>
 * <li>An extension already on disk: {@code CREATE EXTENSION pg_trgm} (dropped again after
 * each run) with the hook on and with {@code pgext_loader.enabled = off}, alternately.
 * With the hook on it is a few stats and one directory read, no request.</li>
 * <li>An extension fetched on demand: on one compute {@code CREATE EXTENSION x} for
 * extensions not on disk (the hook asks the loader, then Postgres runs the script); on a
 * second compute of the same store the loader's bare JIT answer for the same extensions
 * ({@code POST /extension_server/x.control} from an HTTP client), then
 * {@code CREATE EXTENSION x} with the files in place, one extension at a time, the two
 * computes taking turns to go first. The hook's own share is the first minus the sum of
 * the other two.</li>
 * <li>The request alone, without a download: {@code CREATE EXTENSION} of an extension the
 * loader answers 404 for (the statement fails with {@code PX001}) against the same
 * {@code POST} from an HTTP client, alternately, on one loader.</li>
 * </ul>
 * Arguments: {@code [rounds on disk] [majors...]} (defaults 200 and 15 17 18).
 */
public final class HookLatencyBenchmark {

	/**
	 * Trusted contrib extensions without {@code requires}, present in every major
	 * measured.
	 */
	private static final List<String> ON_DEMAND = List.of("hstore", "citext", "isn", "tablefunc", "btree_gin",
			"btree_gist", "ltree", "cube", "seg", "intarray", "fuzzystrmatch", "lo", "pgcrypto");

	private static final String ON_DISK = "pg_trgm";

	/**
	 * Not available to the computes: the loader answers 404 at once, nothing is
	 * downloaded.
	 */
	private static final String REFUSED = "pg_refused";

	private HookLatencyBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 200;
		List<Integer> majors = (args.length > 1) ? Stream.of(args).skip(1).map(Integer::valueOf).toList()
				: List.of(15, 17, 18);
		Map<String, List<Double>> results = new LinkedHashMap<>();
		for (int major : majors) {
			measure(major, rounds, results);
		}
		System.out.println();
		System.out.printf("%d rounds on disk, load average at the end %.1f%n", rounds,
				java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		System.out.println("| measurement (ms) | n | median | p90 | min | max |");
		System.out.println("|---|---:|---:|---:|---:|---:|");
		results.forEach((name, values) -> {
			List<Double> sorted = values.stream().sorted().toList();
			System.out.printf("| %s | %d | %.2f | %.2f | %.2f | %.2f |%n", name, sorted.size(), percentile(sorted, 50),
					percentile(sorted, 90), sorted.get(0), sorted.get(sorted.size() - 1));
		});
		System.exit(0);
	}

	private static void measure(int pgMajor, int rounds, Map<String, List<Double>> results) throws Exception {
		PgMajor major = PgMajor.of(pgMajor);
		Path hook = PgHookBuild.library(pgMajor);
		TestBucket bucket = TestInfrastructure.newBucket("hook-bench-" + pgMajor);
		List<String> published = new ArrayList<>(ON_DEMAND);
		published.add(ON_DISK);
		TestStores.publish(bucket.objectStore(), Scope.PUBLIC, major, published);
		Path work = Files.createTempDirectory("pgext-hook-bench-" + pgMajor + "-");
		try (Loader viaHook = Loader.start(major, hook, bucket, work.resolve("hook"), published);
				Loader bare = Loader.start(major, hook, bucket, work.resolve("bare"), published)) {
			String prefix = "PG " + pgMajor + ": ";
			try (Connection connection = viaHook.connect(); Statement sql = connection.createStatement()) {
				sql.execute("CREATE EXTENSION " + ON_DISK);
				sql.execute("DROP EXTENSION " + ON_DISK);
				for (int round = 0; round < rounds; round++) {
					for (boolean enabled : new boolean[] { round % 2 == 0, round % 2 != 0 }) {
						sql.execute("SET pgext_loader.enabled = " + enabled);
						long start = System.nanoTime();
						sql.execute("CREATE EXTENSION " + ON_DISK);
						record(results, prefix + "CREATE EXTENSION on disk, hook " + (enabled ? "on" : "off"), start);
						sql.execute("DROP EXTENSION " + ON_DISK);
					}
				}
				sql.execute("SET pgext_loader.enabled = on");
				HttpClient http = HttpClient.newHttpClient();
				HttpRequest refused = HttpRequest
					.newBuilder(
							URI.create(viaHook.url() + "/extension_server/" + REFUSED + ".control?is_library=false"))
					.POST(HttpRequest.BodyPublishers.noBody())
					.build();
				for (int round = 0; round < rounds; round++) {
					for (boolean throughHook : new boolean[] { round % 2 == 0, round % 2 != 0 }) {
						long start = System.nanoTime();
						if (throughHook) {
							try {
								sql.execute("CREATE EXTENSION " + REFUSED);
								throw new IllegalStateException(REFUSED + " was created");
							}
							catch (java.sql.SQLException ex) {
								if (!"PX001".equals(ex.getSQLState())) {
									throw ex;
								}
							}
							record(results, prefix + "404 round trip through the hook (CREATE EXTENSION fails, PX001)",
									start);
						}
						else {
							int status = http.send(refused, HttpResponse.BodyHandlers.discarding()).statusCode();
							record(results, prefix + "404 round trip, bare (POST /extension_server, HTTP client)",
									start);
							if (status != 404) {
								throw new IllegalStateException("JIT for " + REFUSED + " answered " + status);
							}
						}
					}
				}
				try (Connection bareConnection = bare.connect(); Statement bareSql = bareConnection.createStatement()) {
					bareSql.execute("SET pgext_loader.enabled = off");
					// warm-up of the second loader's request path, as the first one had
					// with pg_trgm
					jit(http, bare, ON_DISK);
					bareSql.execute("CREATE EXTENSION " + ON_DISK);
					for (int i = 0; i < ON_DEMAND.size(); i++) {
						String name = ON_DEMAND.get(i);
						// alternate which compute fetches first: the second read of a
						// blob finds it in the page cache
						double viaHookMs = 0;
						if (i % 2 == 0) {
							viaHookMs = createThroughHook(sql, viaHook, name);
						}
						requireScriptsAbsent(bare.install(), name);
						long start = System.nanoTime();
						jit(http, bare, name);
						double jitMs = (System.nanoTime() - start) / 1_000_000.0;
						start = System.nanoTime();
						bareSql.execute("CREATE EXTENSION " + name);
						double afterMs = (System.nanoTime() - start) / 1_000_000.0;
						if (i % 2 != 0) {
							viaHookMs = createThroughHook(sql, viaHook, name);
						}
						add(results, prefix + "CREATE EXTENSION fetched on demand through the hook", viaHookMs);
						add(results, prefix + "bare JIT answer (POST /extension_server, HTTP client)", jitMs);
						add(results, prefix + "CREATE EXTENSION after the bare JIT answer (files on disk)", afterMs);
						add(results, prefix + "through the hook minus (bare JIT + CREATE after it), per extension",
								viaHookMs - jitMs - afterMs);
						System.out.printf("PG %d %-14s through the hook %7.2f ms | bare JIT %7.2f + CREATE %7.2f ms%n",
								pgMajor, name, viaHookMs, jitMs, afterMs);
					}
				}
			}
		}
		finally {
			FileTrees.delete(work);
		}
	}

	private static double createThroughHook(Statement sql, Loader loader, String name) throws Exception {
		requireScriptsAbsent(loader.install(), name);
		long start = System.nanoTime();
		sql.execute("CREATE EXTENSION " + name);
		return (System.nanoTime() - start) / 1_000_000.0;
	}

	private static void jit(HttpClient http, Loader loader, String name) throws Exception {
		HttpRequest jit = HttpRequest
			.newBuilder(URI.create(loader.url() + "/extension_server/" + name + ".control?is_library=false"))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		HttpResponse<Void> answer = http.send(jit, HttpResponse.BodyHandlers.discarding());
		if (answer.statusCode() != 200) {
			throw new IllegalStateException("JIT for " + name + " answered " + answer.statusCode());
		}
	}

	private static void add(Map<String, List<Double>> results, String name, double ms) {
		results.computeIfAbsent(name, (k) -> new ArrayList<>()).add(ms);
	}

	/**
	 * The measurement is only one of a fetch when no script of the extension is on disk
	 * before it.
	 */
	private static void requireScriptsAbsent(PostgresInstall install, String name) throws java.io.IOException {
		try (Stream<Path> files = Files.list(install.extensionDir())) {
			List<Path> scripts = files.filter((f) -> f.getFileName().toString().startsWith(name + "--")).toList();
			if (!scripts.isEmpty()) {
				throw new IllegalStateException(name + " is on disk already: " + scripts);
			}
		}
	}

	private static void record(Map<String, List<Double>> results, String name, long start) {
		results.computeIfAbsent(name, (k) -> new ArrayList<>()).add((System.nanoTime() - start) / 1_000_000.0);
	}

	private static double percentile(List<Double> sorted, int p) {
		int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
	}

	/**
	 * A loader with its compute: the hook preloaded, prefetch off, extensions fetched
	 * only when asked.
	 */
	private record Loader(ConfigurableApplicationContext context, PostgresInstall install, int port,
			int postgresPort) implements AutoCloseable {

		static Loader start(PgMajor major, Path hook, TestBucket bucket, Path dir, List<String> available)
				throws Exception {
			PostgresInstall install = TestStores.computeInstall(dir.resolve("install"), major, available);
			int port = freePort();
			int postgresPort = freePort();
			Path spec = dir.resolve("spec.json");
			Files.writeString(spec, """
					{"pg_major": %d, "install_dir": "%s", "data_dir": "%s", "port": %d,
					 "available_extensions": [%s],
					 "settings": {"fsync": "off", "unix_socket_directories": ""}}
					""".formatted(major.value(), install.root(), dir.resolve("data"), postgresPort,
					String.join(", ", available.stream().map((name) -> '"' + name + '"').toList())));
			// command-line arguments: they win over the application's own configuration
			// files
			ConfigurableApplicationContext context = new SpringApplicationBuilder(LoaderApplication.class).run(
					"--server.port=" + port, "--server.address=127.0.0.1", "--pgext.loader.spec-file=" + spec,
					"--pgext.loader.s3.endpoint=" + bucket.endpoint(), "--pgext.loader.s3.bucket=" + bucket.name(),
					"--pgext.loader.s3.access-key=" + bucket.accessKey(),
					"--pgext.loader.s3.secret-key=" + bucket.secretKey(), "--pgext.loader.prefetch=false",
					"--pgext.loader.hook.library=" + hook, "--pgext.loader.hook.server=127.0.0.1:" + port,
					"--logging.level.root=WARN");
			Loader loader = new Loader(context, install, port, postgresPort);
			loader.awaitReady();
			return loader;
		}

		String url() {
			return "http://127.0.0.1:" + this.port;
		}

		Connection connect() throws Exception {
			return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + this.postgresPort + "/postgres",
					"postgres", "");
		}

		private void awaitReady() throws Exception {
			HttpClient http = HttpClient.newHttpClient();
			HttpRequest readiness = HttpRequest.newBuilder(URI.create(url() + "/actuator/health/readiness")).build();
			long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
			while (http.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("the compute did not become ready");
				}
				Thread.sleep(100);
			}
		}

		@Override
		public void close() {
			this.context.close();
		}

		private static int freePort() throws Exception {
			try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
				return socket.getLocalPort();
			}
		}

	}

}
