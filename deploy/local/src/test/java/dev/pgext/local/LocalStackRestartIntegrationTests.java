package dev.pgext.local;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.local.LocalStackSettings.Ports;

import static dev.pgext.local.LocalStackIntegrationTests.execute;
import static dev.pgext.local.LocalStackIntegrationTests.freePorts;
import static dev.pgext.local.LocalStackIntegrationTests.query;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local stack started again on the data of a stopped one finds everything again: the
 * same administrator token and signing key, the catalog seeded once (no second seeding),
 * and the compute's data with the extension created before the stop.
 */
class LocalStackRestartIntegrationTests {

	@Test
	void aStackStartedAgainOnItsDataFindsEverythingAgain(@TempDir Path data) throws Exception {
		Ports ports = freePorts();
		LocalStack first = new LocalStack(LocalStackSettings.defaults(data, ports));
		try {
			first.start();
			execute(ports, "CREATE EXTENSION hstore");
		}
		finally {
			first.stop();
		}
		String token = Files.readString(data.resolve("admin-token"));
		String publicKey = Files.readString(data.resolve("signing.pem.pub"));
		assertThat(data.resolve("seeded")).exists();

		LocalStack again = new LocalStack(LocalStackSettings.defaults(data, ports));
		TaggedLines.startRecording();
		try {
			again.start();
			TaggedLines.stopRecording();
			assertThat(Files.readString(data.resolve("admin-token"))).isEqualTo(token);
			assertThat(Files.readString(data.resolve("signing.pem.pub"))).isEqualTo(publicKey);
			assertThat(TaggedLines.taggedWith("local-stack")).as("seeded once, on the first start")
				.noneMatch((l) -> l.startsWith("seeding "));
			assertThat(query(ports, "SELECT ('c=>3'::hstore) -> 'c'")).isEqualTo("3");
		}
		finally {
			TaggedLines.stopRecording();
			again.stop();
		}
	}

}
