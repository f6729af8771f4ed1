package dev.pgext.loader;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A loader configured with nothing gets the documented defaults, and one property set
 * leaves the others at theirs.
 */
class LoaderPropertiesTests {

	@Test
	void anUnconfiguredLoaderHasTheDocumentedDefaults() {
		LoaderProperties defaults = LoaderProperties.defaults();
		assertThat(defaults.source()).isEqualTo(LoaderProperties.Source.S3);
		assertThat(defaults.workers()).isEqualTo(4);
		assertThat(defaults.prefetch()).isTrue();
		assertThat(defaults.attempts()).isEqualTo(5);
		assertThat(defaults.initialBackoff()).isEqualTo(Duration.ofMillis(200));
		assertThat(defaults.backgroundBandwidth()).isEqualTo(DataSize.ofBytes(0));
		assertThat(defaults.cacheMaxSize()).isEqualTo(DataSize.ofGigabytes(10));
		assertThat(defaults.postgresStartTimeout()).isEqualTo(Duration.ofMinutes(2));
		assertThat(defaults.postgresStopTimeout()).isEqualTo(Duration.ofMinutes(1));
		assertThat(defaults.jitTimeout()).isEqualTo(Duration.ofMinutes(5));
		assertThat(defaults.indexRefreshInterval()).isEqualTo(Duration.ofSeconds(1));
		assertThat(defaults.hook().enabled()).isFalse();
	}

	@Test
	void theDefaultsASourceBuiltByHandTakesAreTheConfiguredOnes() {
		// the sources keep their own copy for code that builds them without properties:
		// this keeps the two from drifting apart
		LoaderProperties defaults = LoaderProperties.defaults();
		assertThat(defaults.indexMaxSize().toBytes()).isEqualTo(dev.pgext.loader.fetch.IndexText.DEFAULT_MAX_SIZE);
		assertThat(defaults.s3ReadTimeout()).isEqualTo(dev.pgext.loader.fetch.S3ExtensionSource.READ_TIMEOUT);
		assertThat(defaults.exitOnFailure()).isFalse();
		LoaderProperties.Registry registry = new Binder(
				new MapConfigurationPropertySource(Map.of("pgext.loader.registry.url", "http://registry.example")))
			.bindOrCreate("pgext.loader", LoaderProperties.class)
			.registry();
		assertThat(registry.connectTimeout()).isEqualTo(dev.pgext.loader.fetch.RegistryExtensionSource.CONNECT_TIMEOUT);
		assertThat(registry.readTimeout()).isEqualTo(dev.pgext.loader.fetch.RegistryExtensionSource.READ_TIMEOUT);
	}

	@Test
	void onePropertySetLeavesTheOthersAtTheirDefaults() {
		LoaderProperties properties = new Binder(new MapConfigurationPropertySource(
				Map.of("pgext.loader.cache-max-size", "512MB", "pgext.loader.prefetch", "false")))
			.bindOrCreate("pgext.loader", LoaderProperties.class);
		assertThat(properties.cacheMaxSize()).isEqualTo(DataSize.ofMegabytes(512));
		assertThat(properties.prefetch()).isFalse();
		assertThat(properties.workers()).isEqualTo(4);
	}

}
