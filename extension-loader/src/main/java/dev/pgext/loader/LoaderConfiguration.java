package dev.pgext.loader;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

import dev.pgext.loader.fetch.BandwidthLimiter;
import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.loader.fetch.FilePlacer;
import dev.pgext.loader.fetch.NodeCache;
import dev.pgext.loader.fetch.RegistryExtensionSource;
import dev.pgext.loader.fetch.S3ExtensionSource;
import dev.pgext.loader.trust.MetadataTrust;
import dev.pgext.loader.trust.TrustProperties;
import dev.pgext.model.signing.MetadataVerifier;
import dev.pgext.model.signing.TrustedKeys;
import dev.pgext.model.signing.VersionLedger;
import dev.pgext.model.store.S3ObjectStore;

/**
 * The source of extensions the configuration names, the trust its indexes must pass, and
 * the placer that writes their files.
 */
@Configuration(proxyBeanMethods = false)
class LoaderConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(LoaderConfiguration.class);

	@Bean
	MetadataTrust trustedKeys(LoaderProperties properties, TrustProperties trust, MeterRegistry meters) {
		TrustedKeys keys = TrustedKeys.parse(trust.publicKeys());
		Path stateDir = (trust.stateDir() != null) ? trust.stateDir()
				: (properties.cacheDir() != null) ? properties.cacheDir().resolve("trust") : null;
		VersionLedger ledger = (stateDir != null) ? VersionLedger.in(stateDir) : VersionLedger.inMemory();
		if (keys.isEmpty() && !trust.signaturesRequired()) {
			logger
				.warn("No trusted public key (pgext.loader.trust.public-keys): indexes and manifests are not verified");
		}
		else {
			logger.info("Trusting metadata signed by {} (signatures {})", keys.ids(),
					trust.signaturesRequired() ? "required" : "checked when present");
		}
		return new MetadataTrust(new MetadataVerifier(keys, trust.signaturesRequired(), ledger, Clock.systemUTC()),
				meters);
	}

	@Bean
	ExtensionSource extensionSource(LoaderProperties properties, MetadataTrust trust, RestClient.Builder http) {
		if (properties.source() == LoaderProperties.Source.REGISTRY) {
			if (properties.registry() == null) {
				throw new IllegalStateException("pgext.loader.source=registry needs pgext.loader.registry.url");
			}
			LoaderProperties.Registry registry = properties.registry();
			return new RegistryExtensionSource(registry.url(), registry.token(),
					FilePlacer.retry(properties.attempts(), properties.initialBackoff()), properties.resolvedPlatform(),
					trust, RegistryExtensionSource.http(http, registry.connectTimeout(), registry.readTimeout()))
				.withIndexMaxSize(properties.indexMaxSize().toBytes());
		}
		if (properties.s3() == null || properties.s3().bucket() == null) {
			throw new IllegalStateException("pgext.loader.source=s3 needs pgext.loader.s3.bucket");
		}
		// closed with the context: an S3 client holds a connection pool and timer threads
		return S3ExtensionSource
			.owning(S3ObjectStore.create(properties.s3()).withCircuitBreaker(breaker()), properties.resolvedPlatform(),
					trust)
			.withIndexMaxSize(properties.indexMaxSize().toBytes())
			.withReadTimeout(properties.s3ReadTimeout());
	}

	/**
	 * Opens after most of the last calls failed (after the store's own retries), so a
	 * dead S3 fails fast.
	 */
	static CircuitBreaker breaker() {
		return CircuitBreaker.of("s3",
				CircuitBreakerConfig.custom()
					.slidingWindowSize(20)
					.minimumNumberOfCalls(10)
					.failureRateThreshold(50)
					.waitDurationInOpenState(Duration.ofSeconds(10))
					.permittedNumberOfCallsInHalfOpenState(2)
					.recordException(S3ObjectStore::isRetryable)
					.build());
	}

	@Bean
	FilePlacer filePlacer(ExtensionSource source, LoaderProperties properties, MeterRegistry meters) {
		NodeCache cache = (properties.cacheDir() != null)
				? new NodeCache(properties.cacheDir(), properties.cacheMaxSize().toBytes(), meters) : null;
		return FilePlacer.cached(source, cache, BandwidthLimiter.of(properties.backgroundBandwidth().toBytes()),
				FilePlacer.retry(properties.attempts(), properties.initialBackoff()), meters);
	}

}
