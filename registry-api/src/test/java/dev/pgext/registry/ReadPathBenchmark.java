package dev.pgext.registry;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.util.unit.DataSize;

import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.registry.storage.DownloadLinks;
import dev.pgext.testsupport.ContribExtension;
import dev.pgext.testsupport.PostgresInstalls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compute manifest and a file download under {@code wrk}, side by side with nginx
 * serving the same manifest bytes and with a direct (presigned) GET of the same object
 * from the S3 endpoint. Needs {@code wrk} and {@code nginx} on the PATH; not part of
 * {@code verify} (run it on purpose):
 *
 * <pre>
 * ./mvnw -B -pl registry-api -am test -Dtest=ReadPathBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Each pair runs alternately, registry then baseline, {@code ROUNDS} times
 * ({@code -Dpgext.bench.rounds}), after one warm-up run of each (discarded),
 * {@code wrk -t2 -c32} for 10 s each ({@code -Dpgext.bench.duration});
 * {@code -Dpgext.bench.only=manifest} runs only the pairs whose name starts with that.
 * The load average is printed before and after. Besides the rates, each run reports the
 * server's CPU time per request (this JVM's for the registry and the in-process S3
 * endpoint, nginx's processes' for nginx), which a loaded machine distorts less than
 * wall-clock rates. The pairs are alternated round by round: every pair's warm-up run
 * first, then each round through every pair.
 * {@code -Dpgext.bench.compare-write-buffers=8KB,128KB} adds the manifest 200 against a
 * further connector with each of those socket write buffers.
 */
@Tag("bench")
class ReadPathBenchmark extends RegistryIntegrationTest {

	private static final int SQL_EXTENSIONS = 120;

	private static final int ROUNDS = Integer.getInteger("pgext.bench.rounds", 3);

	private static final String DURATION = System.getProperty("pgext.bench.duration", "10s");

	/**
	 * Which pairs to run: every pair whose name starts with this ({@code manifest}: the
	 * two manifest pairs).
	 */
	private static final String ONLY = System.getProperty("pgext.bench.only", "");

	private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

	private static final Pattern REQUESTS = Pattern.compile("([0-9]+) requests in");

	private static final Pattern P50 = Pattern.compile("\\s50%\\s+([0-9.]+)(us|ms|s)");

	private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");

	/**
	 * Socket write buffers ({@code socket.appWriteBufSize}, such as {@code 8KB,128KB}) to
	 * compare the configured one with: the manifest 200 also runs against a further
	 * connector with each, alternated with the others.
	 */
	private static final String COMPARE_WRITE_BUFFERS = System.getProperty("pgext.bench.compare-write-buffers");

	@Autowired
	private DownloadLinks links;

	@Autowired
	private ServletWebServerApplicationContext context;

	@Test
	void manifestAndDownloadSideBySide() throws Exception {
		for (String name : List.of("hstore", "pg_trgm", "pgcrypto", "citext", "cube", "earthdistance", "ltree",
				"intarray", "fuzzystrmatch", "unaccent")) {
			assertThat(publish(ADMIN_TOKEN, null, TestArtifacts.metadata("bench_" + name, "1.0.0"),
					Map.of("pg17", ContribExtension.of(PostgresInstalls.shared(17), name).tarGz()))
				.status()).isEqualTo(201);
		}
		for (int i = 0; i < SQL_EXTENSIONS; i++) {
			String name = "bench_sql_" + i;
			assertThat(publish(ADMIN_TOKEN, null, TestArtifacts.metadata(name, "1.0.0"),
					Map.of("pg17", TestArtifacts.sqlExtension(name).tarGz()))
				.status()).isEqualTo(201);
		}
		// measure the steady state: the publishes' projection runs finished
		awaitProjections();
		String base = "http://127.0.0.1:" + this.port;
		RegistryClient.Response manifest = api().get("/api/v1/compute-manifests/17", null);
		assertThat(manifest.status()).isEqualTo(200);
		ExtIndex index = ExtIndexJson.read(manifest.body());
		int files = index.extensions().stream().mapToInt((e) -> e.files().size()).sum();
		ExtFile largest = index.extensions()
			.stream()
			.flatMap((e) -> e.files().stream())
			.max(Comparator.comparingLong(ExtFile::size))
			.orElseThrow();
		String etag = manifest.headers().getETag();

		Path root = Files.createTempDirectory("read-path-bench");
		Files.write(root.resolve("manifest.json"), manifest.body());
		int nginxPort = freePort();
		Path conf = root.resolve("nginx.conf");
		Files.writeString(conf, """
				worker_processes 2;
				daemon off;
				user root;
				pid %1$s/nginx.pid;
				error_log %1$s/error.log;
				events { worker_connections 1024; }
				http {
				    access_log off;
				    types { application/json json; }
				    server {
				        listen 127.0.0.1:%2$d;
				        root %1$s;
				    }
				}
				""".formatted(root, nginxPort));
		Process nginx = new ProcessBuilder("nginx", "-c", conf.toString(), "-p", root.toString())
			.redirectErrorStream(true)
			.redirectOutput(root.resolve("nginx.out").toFile())
			.start();
		try {
			String nginxUrl = "http://127.0.0.1:" + nginxPort + "/manifest.json";
			awaitUp(nginxUrl);
			String nginxEtag = curlEtag(nginxUrl);
			System.out.printf(
					"%nmanifest: %d extensions, %d files, %d bytes; file: %s, %d bytes; JVM flags %s; "
							+ "socket write buffer %s bytes%n",
					index.extensions().size(), files, manifest.body().length, largest.path(), largest.size(),
					ManagementFactory.getRuntimeMXBean().getInputArguments(),
					((TomcatWebServer) this.context.getWebServer()).getTomcat().getService().findConnectors()[0]
						.getProperty("socket.appWriteBufSize"));
			List<String[]> pairs = new ArrayList<>();
			pairs
				.add(new String[] { "manifest 304", base + "/api/v1/compute-manifests/17", etag, nginxUrl, nginxEtag });
			pairs.add(new String[] { "manifest 200", base + "/api/v1/compute-manifests/17", null, nginxUrl, null });
			URI direct = this.links.get(StoreLayout.blob(largest.sha256()));
			pairs.add(new String[] { "file download", base + "/api/v1/files/" + largest.sha256().hex(), null,
					direct.toString(), null });
			pairs.add(new String[] { "file download, 302 only",
					base + "/api/v1/files/" + largest.sha256().hex() + "?redirect=true", null, direct.toString(),
					null });
			System.out.printf("load average before: %s%n", loadAverage());
			System.out
				.println("| what | round | registry req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms | ratio "
						+ "| registry CPU µs/req | baseline CPU µs/req | CPU ratio |");
			System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
			pairs.removeIf((pair) -> !pair[0].startsWith(ONLY));
			if (COMPARE_WRITE_BUFFERS != null) {
				int at = pairs
					.indexOf(pairs.stream().filter((pair) -> pair[0].equals("manifest 200")).findFirst().orElseThrow());
				for (String size : COMPARE_WRITE_BUFFERS.split(",")) {
					String other = "http://127.0.0.1:" + connector(DataSize.parse(size.strip()));
					pairs.add(++at, new String[] { "manifest 200, " + size.strip() + " write buffer",
							other + "/api/v1/compute-manifests/17", null, nginxUrl, null });
				}
			}
			// warm-up runs of every pair first, then the rounds, each round through every
			// pair, so that a change in the machine's load shows in every pair alike
			for (String[] pair : pairs) {
				wrk(pair[1], pair[2], ReadPathBenchmark::jvmCpuNanos);
				wrk(pair[3], pair[4], baselineCpu(pair, nginxUrl, nginx));
			}
			List<String> rows = new ArrayList<>();
			for (int round = 1; round <= ROUNDS; round++) {
				for (String[] pair : pairs) {
					double[] registry = wrk(pair[1], pair[2], ReadPathBenchmark::jvmCpuNanos);
					double[] baseline = wrk(pair[3], pair[4], baselineCpu(pair, nginxUrl, nginx));
					rows.add("| %s | %d | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f | %.1f | %.1f | %.2f |"
						.formatted(pair[0], round, registry[0], registry[1], registry[2], baseline[0], baseline[1],
								baseline[2], registry[0] / baseline[0], registry[3], baseline[3],
								baseline[3] / registry[3]));
					System.out.println(rows.get(rows.size() - 1));
				}
			}
			System.out.println("by pair:");
			for (String[] pair : pairs) {
				rows.stream().filter((row) -> row.startsWith("| " + pair[0] + " | ")).forEach(System.out::println);
			}
			System.out.printf("load average after: %s%n", loadAverage());
		}
		finally {
			nginx.destroy();
			nginx.waitFor(10, TimeUnit.SECONDS);
		}
	}

	/**
	 * Where a baseline's CPU time is counted: nginx runs in its own processes, the S3
	 * endpoint in this JVM, like the registry.
	 */
	private static LongSupplier baselineCpu(String[] pair, String nginxUrl, Process nginx) {
		return pair[3].equals(nginxUrl) ? () -> processTreeCpuNanos(nginx.toHandle()) : ReadPathBenchmark::jvmCpuNanos;
	}

	/**
	 * A second connector of the registry's Tomcat, on a free port, with another socket
	 * write buffer than the configured one ({@code socket.appWriteBufSize}), and the main
	 * connector's keep-alive limit; answers its port.
	 */
	private int connector(DataSize writeBuffer) throws Exception {
		Tomcat tomcat = ((TomcatWebServer) this.context.getWebServer()).getTomcat();
		Connector main = tomcat.getService().findConnectors()[0];
		Connector connector = new Connector(main.getProtocol());
		connector.setPort(0);
		connector.setProperty("address", "127.0.0.1");
		connector.setProperty("maxKeepAliveRequests", main.getProperty("maxKeepAliveRequests").toString());
		assertThat(connector.setProperty("socket.appWriteBufSize", Long.toString(writeBuffer.toBytes()))).isTrue();
		tomcat.getService().addConnector(connector);
		assertThat(connector.getLocalPort()).isPositive();
		return connector.getLocalPort();
	}

	/**
	 * Requests per second, p50 and p99 in milliseconds, and the CPU time {@code cpu}
	 * counted per request in microseconds.
	 */
	private static double[] wrk(String url, String ifNoneMatch, LongSupplier cpu)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-c32", "-d" + DURATION, "--latency"));
		if (ifNoneMatch != null) {
			command.addAll(List.of("-H", "If-None-Match: " + ifNoneMatch));
		}
		command.add(url);
		long cpuBefore = cpu.getAsLong();
		Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(wrk.waitFor()).as(out).isZero();
		long cpuNanos = cpu.getAsLong() - cpuBefore;
		assertThat(out).as(out).doesNotContain("Non-2xx or 3xx responses");
		Matcher requests = REQUESTS.matcher(out);
		assertThat(requests.find()).as(out).isTrue();
		return new double[] { number(RATE, out), millis(P50, out), millis(P99, out),
				cpuNanos / 1000.0 / Long.parseLong(requests.group(1)) };
	}

	/** CPU time of this JVM (the registry, and the in-process S3 endpoint). */
	private static long jvmCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	/**
	 * CPU time of a process and its children (nginx's master and workers), from
	 * {@code /proc}, in clock ticks of 10 ms.
	 */
	private static long processTreeCpuNanos(ProcessHandle process) {
		return Stream.concat(Stream.of(process), process.descendants()).mapToLong((handle) -> {
			try {
				String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
				// utime and stime, fields 14 and 15 of proc(5)
				return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
			}
			catch (IOException ex) {
				// a worker that exited meanwhile
				return 0;
			}
		}).sum();
	}

	private static double number(Pattern pattern, String out) {
		Matcher m = pattern.matcher(out);
		assertThat(m.find()).as(out).isTrue();
		return Double.parseDouble(m.group(1));
	}

	private static double millis(Pattern pattern, String out) {
		Matcher m = pattern.matcher(out);
		assertThat(m.find()).as(out).isTrue();
		double value = Double.parseDouble(m.group(1));
		return switch (m.group(2)) {
			case "us" -> value / 1000;
			case "s" -> value * 1000;
			default -> value;
		};
	}

	private static String curlEtag(String url) throws IOException, InterruptedException {
		Process curl = new ProcessBuilder("curl", "-sI", url).start();
		String headers = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		curl.waitFor();
		Matcher m = Pattern.compile("(?im)^etag:\\s*(\\S+)").matcher(headers);
		assertThat(m.find()).as(headers).isTrue();
		return m.group(1);
	}

	private static void awaitUp(String url) throws IOException, InterruptedException {
		for (int i = 0; i < 100; i++) {
			Process curl = new ProcessBuilder("curl", "-sf", "-o", "/dev/null", url).start();
			if (curl.waitFor() == 0) {
				return;
			}
			Thread.sleep(50);
		}
		throw new AssertionError("nginx did not start");
	}

	private static String loadAverage() throws IOException {
		return Files.readString(Path.of("/proc/loadavg")).strip();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
