package dev.pgext.loader;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.pgext.model.store.ObjectStoreSettings;

/**
 * Configuration of the extension loader, under {@code pgext.loader}.
 *
 * @param specFile compute spec read at start; without one the loader waits for
 * {@code POST /compute/start}
 * @param source where indexes and files come from: the S3 bucket directly or the registry
 * @param s3 the extension store bucket (endpoint, region, bucket, credentials, retries),
 * used when {@code source} is {@code s3}
 * @param registry the registry, used when {@code source} is {@code registry}
 * @param cacheDir node-local content-addressed cache shared by the computes of one node,
 * or none
 * @param cacheMaxSize most bytes the node cache keeps: beyond it, the least recently used
 * blobs that no compute of this loader has placed are evicted
 * @param workers download threads; JIT requests jump the queue but share these threads
 * @param backgroundBandwidth bytes per second for background downloads (0: unlimited);
 * JIT, server-preload and session-preload downloads are never limited
 * @param prefetch whether extensions nobody asked for are downloaded in the background
 * after start
 * @param attempts attempts per file download, the first included, for network errors and
 * 5xx answers
 * @param initialBackoff wait before the first retry of a file download, doubled per
 * attempt with jitter
 * @param postgresStartTimeout how long Postgres may take to accept connections
 * @param postgresStopTimeout how long a fast shutdown of Postgres may take (the loader's
 * own at stop, or one a killed loader left running) before it is forced
 * @param jitTimeout how long a JIT request waits for its files before it fails
 * @param hook the {@code pgext_loader} Postgres hook that makes a stock Postgres ask this
 * loader for missing files
 * @param indexRefreshInterval least time between two re-reads of the indexes when a JIT
 * request names a file no known extension has (an extension published after the compute
 * started becomes available without a restart)
 * @param platform the platform whose builds this loader asks for,
 * {@code <os>-<arch>-<libc>} such as {@code linux-arm64-gnu}; when unset, the machine's
 * own (the JVM's architecture and the C library mapped into it)
 * @param indexMaxSize the most bytes an index, preload document or compute manifest may
 * have: a larger one (announced, or as its bytes arrive) is refused before it is held
 * whole, so an endless or huge answer cannot exhaust the loader's memory
 * @param s3ReadTimeout how long one GET from the store ({@code source=s3}: an index, a
 * preload document or a file) may keep its reader waiting for bytes, in all: a store that
 * stalls or trickles longer is a network error (a file download is retried); the time the
 * loader takes between reads (the background bandwidth limit) does not count
 * @param exitOnFailure whether the loader exits (status 1) once its compute has failed (a
 * start-up that failed, a Postgres that crashed), so that the supervisor that runs it
 * (Docker's restart policy, systemd, Kubernetes) starts a fresh one, which converges from
 * what the failed one left; off, it stays up reporting the failure, liveness {@code DOWN}
 */
@ConfigurationProperties("pgext.loader")
@Validated
public record LoaderProperties(Path specFile, @NotNull @DefaultValue("s3") Source source,
		@NestedConfigurationProperty ObjectStoreSettings s3, @Valid Registry registry, Path cacheDir,
		@NotNull @DefaultValue("10GB") DataSize cacheMaxSize, @Min(1) @Max(64) @DefaultValue("4") int workers,
		@NotNull @DefaultValue("0") DataSize backgroundBandwidth, @DefaultValue("true") boolean prefetch,
		@Min(1) @DefaultValue("5") int attempts, @NotNull @DefaultValue("200ms") Duration initialBackoff,
		@NotNull @DefaultValue("2m") Duration postgresStartTimeout,
		@NotNull @DefaultValue("1m") Duration postgresStopTimeout, @NotNull @DefaultValue("5m") Duration jitTimeout,
		@Valid @NotNull @DefaultValue Hook hook, @NotNull @DefaultValue("1s") Duration indexRefreshInterval,
		String platform, @NotNull @DefaultValue("128MB") DataSize indexMaxSize,
		@NotNull @DefaultValue("5m") Duration s3ReadTimeout, @DefaultValue("false") boolean exitOnFailure) {

	/**
	 * The defaults, as the binder gives them to a loader configured with nothing else
	 * (from the {@code @DefaultValue}s, so there is one place for them): a start for code
	 * that builds a loader by hand, such as tests and benchmarks.
	 */
	public static LoaderProperties defaults() {
		return new Binder().bindOrCreate("pgext.loader", LoaderProperties.class);
	}

	/**
	 * The platform this loader asks for: {@link #platform()} when set, otherwise the
	 * machine's own.
	 * @throws dev.pgext.model.InvalidValueException when either is not a supported
	 * platform
	 */
	public dev.pgext.model.Platform resolvedPlatform() {
		return (this.platform != null && !this.platform.isBlank()) ? dev.pgext.model.Platform.parse(this.platform)
				: dev.pgext.model.Platform.host();
	}

	/** These properties with another number of workers and prefetch on or off. */
	public LoaderProperties withWorkers(int workers, boolean prefetch) {
		return new LoaderProperties(this.specFile, this.source, this.s3, this.registry, this.cacheDir,
				this.cacheMaxSize, workers, this.backgroundBandwidth, prefetch, this.attempts, this.initialBackoff,
				this.postgresStartTimeout, this.postgresStopTimeout, this.jitTimeout, this.hook,
				this.indexRefreshInterval, this.platform, this.indexMaxSize, this.s3ReadTimeout, this.exitOnFailure);
	}

	/**
	 * These properties with the {@code pgext_loader} hook library at {@code library},
	 * asking {@code server}.
	 */
	public LoaderProperties withHook(Path library, String server) {
		return new LoaderProperties(this.specFile, this.source, this.s3, this.registry, this.cacheDir,
				this.cacheMaxSize, this.workers, this.backgroundBandwidth, this.prefetch, this.attempts,
				this.initialBackoff, this.postgresStartTimeout, this.postgresStopTimeout, this.jitTimeout,
				new Hook(library, server), this.indexRefreshInterval, this.platform, this.indexMaxSize,
				this.s3ReadTimeout, this.exitOnFailure);
	}

	/** Where the loader reads indexes and files. */
	public enum Source {

		/** The extension store bucket, read with the store layout. */
		S3,

		/** The registry's compute-manifest and file endpoints. */
		REGISTRY

	}

	/**
	 * The registry that serves merged compute manifests.
	 *
	 * @param url base URL, such as {@code http://registry:8080}
	 * @param token bearer token sent with every request, or none
	 * @param connectTimeout how long opening a connection to the registry (or to where it
	 * redirects a file download) may take
	 * @param readTimeout how long one request may keep the loader waiting for the
	 * registry (or where it redirects): for the answer's headers, and in all while its
	 * body is read (a manifest, a file); time between reads does not count, so a large
	 * file read slowly under {@code background-bandwidth} is not cut off; 30 s of silence
	 * (or this, when shorter) ends an attempt at once
	 */
	public record Registry(@NotNull URI url, String token, @NotNull @DefaultValue("10s") Duration connectTimeout,
			@NotNull @DefaultValue("5m") Duration readTimeout) {

	}

	/**
	 * The {@code pgext_loader} hook library (built from {@code extension-loader/pg-hook}
	 * for the compute's major). When set, the loader places it in the installation before
	 * Postgres starts, puts it first in {@code shared_preload_libraries} and points it at
	 * this loader, so that {@code CREATE EXTENSION}, {@code ALTER EXTENSION ... UPDATE}
	 * and {@code LOAD} ask for missing files.
	 *
	 * @param library the built {@code pgext_loader.so}, or none to run Postgres without
	 * the hook
	 * @param server the {@code host:port} the hook sends its requests to: this loader's
	 * loopback address
	 */
	public record Hook(Path library, String server) {

		/** The name of the library in {@code shared_preload_libraries}. */
		public static final String LIBRARY_NAME = "pgext_loader";

		public boolean enabled() {
			return this.library != null;
		}

	}

}
