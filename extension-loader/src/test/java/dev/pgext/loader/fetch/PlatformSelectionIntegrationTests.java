package dev.pgext.loader.fetch;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.pgext.loader.LoaderProperties;
import dev.pgext.loader.TestStores;
import dev.pgext.model.InvalidValueException;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.testsupport.RealInfrastructure;
import dev.pgext.testsupport.TestBucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A loader reads only its own platform's index from the store: with a real AArch64 build
 * of {@code first_last_agg} under the arm64 keys and x86-64 contrib builds under the
 * default keys, the x86-64 loader is never offered the arm64 library (so nothing can
 * place it) and the arm64 loader is offered nothing else.
 */
@RealInfrastructure
class PlatformSelectionIntegrationTests {

	static TestBucket bucket;

	@BeforeAll
	static void store(TestBucket testBucket) {
		bucket = testBucket;
		TestStores.publish(bucket.objectStore(), Scope.PUBLIC, List.of("hstore"));
		TestStores.arm64Index(bucket.objectStore(), Scope.PUBLIC);
	}

	@Test
	void anAmd64LoaderIsNeverOfferedAnArm64Library() {
		ExtIndex index = new S3ExtensionSource(bucket.objectStore(), Platform.LINUX_AMD64_GNU).index(PgMajor.of(15),
				null);
		assertThat(index.find("hstore")).isPresent();
		assertThat(index.find("first_last_agg")).isEmpty();
		assertThat(index.findByFileName("first_last_agg.so")).as("no file for the JIT path to place").isEmpty();
	}

	@Test
	void anArm64LoaderReadsTheArm64IndexOnly() {
		ExtIndex index = new S3ExtensionSource(bucket.objectStore(), Platform.LINUX_ARM64_GNU).index(PgMajor.of(15),
				null);
		assertThat(index.extensions()).extracting((entry) -> entry.name().value()).containsExactly("first_last_agg");
	}

	@Test
	void theConfiguredPlatformOverridesTheDetectedOneAndAnUnknownOneIsRefused() {
		LoaderProperties defaults = LoaderProperties.defaults();
		assertThat(defaults.resolvedPlatform()).isEqualTo(Platform.host());
		LoaderProperties arm64 = new org.springframework.boot.context.properties.bind.Binder(
				new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(
						java.util.Map.of("pgext.loader.platform", "linux-arm64-gnu")))
			.bindOrCreate("pgext.loader", LoaderProperties.class);
		assertThat(arm64.resolvedPlatform()).isEqualTo(Platform.LINUX_ARM64_GNU);
		LoaderProperties sparc = new org.springframework.boot.context.properties.bind.Binder(
				new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(
						java.util.Map.of("pgext.loader.platform", "linux-sparc64-gnu")))
			.bindOrCreate("pgext.loader", LoaderProperties.class);
		assertThatExceptionOfType(InvalidValueException.class).isThrownBy(sparc::resolvedPlatform)
			.withMessageContaining("linux-sparc64-gnu is not supported");
	}

}
