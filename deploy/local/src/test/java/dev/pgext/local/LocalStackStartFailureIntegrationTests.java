package dev.pgext.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.local.LocalStackSettings.Ports;
import dev.pgext.testsupport.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local stack as {@code spring-boot:run} starts it, in a JVM of its own: when a part
 * cannot start it says which and why, leaves nothing running and exits with a non-zero
 * status.
 */
class LocalStackStartFailureIntegrationTests {

	@Test
	void aComputePortAlreadyTakenIsReportedByPortAndTheStackExitsWithStatus1(@TempDir Path data) throws Exception {
		Ports ports = LocalStackIntegrationTests.freePorts();
		try (ServerSocket taken = new ServerSocket(ports.compute(), 1, InetAddress.getLoopbackAddress())) {
			Result result = runLocalStack(data, ports, "-Dpgext.local.compute-port=" + ports.compute());
			assertThat(result.status()).isEqualTo(1);
			assertThat(result.output())
				.contains("pgext local stack did not start: compute: port " + ports.compute()
						+ " on 127.0.0.1 is already in use")
				.contains("-Dpgext.local.compute-port=<port>")
				.doesNotContain("pgext local stack is up");
		}
		assertThat(data.resolve("registry-db")).as("nothing was started").doesNotExist();
	}

	@Test
	void aSettingThatIsNoPortEndsTheStackWithStatus2AndTheReason(@TempDir Path data) throws Exception {
		Ports ports = LocalStackIntegrationTests.freePorts();
		Result result = runLocalStack(data, ports, "-Dpgext.local.registry-port=80800");
		assertThat(result.status()).isEqualTo(2);
		assertThat(result.output()).contains("pgext.local.registry-port=80800 is not a port (1-65535)");
	}

	record Result(int status, String output) {

	}

	private static Result runLocalStack(Path data, Ports ports, String... overrides)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(ChildJvm.command());
		command.addAll(List.of("-Dpgext.local.dir=" + data, "-Dpgext.local.registry-port=" + ports.registry(),
				"-Dpgext.local.loader-port=" + ports.loader(), "-Dpgext.local.importer-port=" + ports.importer(),
				"-Dpgext.local.s3-port=" + ports.s3()));
		command.addAll(List.of(overrides));
		command.add(LocalStack.class.getName());
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
		return new Result(process.exitValue(), output);
	}

}
