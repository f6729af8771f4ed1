package dev.pgext.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.bundle.build.BundleBuilder;
import dev.pgext.bundle.build.TestBundles;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publish and fetch commands as CI and a storage node run them: configured bucket and
 * registry, exit codes and console output, against the real (in-process) S3.
 */
@RealInfrastructure
class BundleCommandsIntegrationTests {

	@TempDir
	Path temp;

	private final BundleBuilder.Result bundle = TestBundles.twoMajors();

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private HttpServer registry;

	@BeforeEach
	void startRegistry() throws IOException {
		this.registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.registry.createContext("/api/v1/bundles", (exchange) -> {
			try (exchange) {
				exchange.getRequestBody().readAllBytes();
				exchange.sendResponseHeaders(201, -1);
			}
		});
		this.registry.start();
	}

	@AfterEach
	void stopRegistry() {
		this.registry.stop(0);
	}

	private int run(TestBucket bucket, String... args) {
		this.out.reset();
		this.err.reset();
		URI url = URI.create("http://127.0.0.1:" + this.registry.getAddress().getPort());
		BundleProperties properties = new BundleProperties("test", TestBundles.HOST_LIBRARY_DIRS, List.of(),
				List.of("nobody:65534:65534"), 3, this.temp, Duration.ofMinutes(1),
				new BundleProperties.Registry(url, "ci-token", Duration.ofSeconds(10)), bucket.settings());
		return new BundleCommands(properties, new PrintStream(this.out, true, StandardCharsets.UTF_8),
				new PrintStream(this.err, true, StandardCharsets.UTF_8))
			.execute(args);
	}

	@Test
	void aPublishedBundleIsFetchedByItsPinAndAWrongPinIsRefused(TestBucket bucket) throws IOException {
		assertThat(run(bucket, "publish", this.bundle.file().toString())).isZero();
		assertThat(this.out.toString(StandardCharsets.UTF_8)).contains("bundles/sha256/" + this.bundle.sha256().hex())
			.contains("registered");

		Path pin = Files.writeString(this.temp.resolve("pin.json"),
				"{\"sha256\":\"" + this.bundle.sha256().hex() + "\",\"pg_versions\":[\"15\",\"17\"]}");
		Path into = this.temp.resolve("node/current");
		assertThat(run(bucket, "fetch", "--pin", pin.toString(), "--into", into.toString())).isZero();
		assertThat(this.out.toString(StandardCharsets.UTF_8)).contains("placed " + this.bundle.sha256().hex());
		assertThat(into.resolve("LAUNCHER")).isExecutable();

		Path wrongPin = Files.writeString(this.temp.resolve("wrong-pin.json"),
				"{\"sha256\":\"" + this.bundle.sha256().hex() + "\",\"pg_versions\":[\"16\"]}");
		Path other = this.temp.resolve("node/other");
		assertThat(run(bucket, "fetch", "--pin", wrongPin.toString(), "--into", other.toString()))
			.isEqualTo(BundleCommands.FAILED);
		assertThat(this.err.toString(StandardCharsets.UTF_8)).contains("the pin says [16]");
		assertThat(other).doesNotExist();
	}

}
