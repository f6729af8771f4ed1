package dev.pgext.cli.publish;

import java.io.InputStream;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgext.cli.registry.Environment;
import dev.pgext.cli.registry.RegistryOptions;

import static org.assertj.core.api.Assertions.assertThat;

class ReleaseArgumentsTests {

	private final RegistryOptions registry = new RegistryOptions(
			new Environment(Map.of(), InputStream.nullInputStream()));

	@Test
	void aVersionIsNamedAsTheRegistryStoresItAsPublishAndInstallRead() {
		ReleaseArguments release = release("hello", "1.0");

		assertThat(release.yankPath(this.registry)).isEqualTo("/api/v1/distributions/hello/versions/1.0.0/yank");
		assertThat(release).hasToString("hello 1.0.0");
	}

	@Test
	void aVersionTheRegistryWouldRefuseIsSentAsGivenForItsProblem() {
		assertThat(release("hello", "not a version").yankPath(this.registry))
			.isEqualTo("/api/v1/distributions/hello/versions/not%20a%20version/yank");
	}

	private static ReleaseArguments release(String distribution, String version) {
		ReleaseArguments release = new ReleaseArguments();
		release.distribution = distribution;
		release.version = version;
		return release;
	}

}
