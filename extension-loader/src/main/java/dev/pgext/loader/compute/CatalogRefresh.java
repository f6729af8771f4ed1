package dev.pgext.loader.compute;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.loader.fetch.ExtensionSource;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * The compute's catalog, re-read at most once per {@code index-refresh-interval} when a
 * JIT request names a file no known extension has: an extension published after the
 * compute started is then found, and its control file written. Extensions already known
 * keep the release they had. Reads of the current catalog take no lock; a refresh (and
 * the time of the last index read) is guarded by this object's monitor.
 */
final class CatalogRefresh {

	private static final Logger log = LoggerFactory.getLogger(CatalogRefresh.class);

	private final ExtensionSource source;

	private final ComputeSpec spec;

	private final PostgresInstall install;

	private final Duration interval;

	private volatile ExtensionCatalog catalog;

	/** Guarded by {@code this}. */
	private long lastIndexRead;

	CatalogRefresh(ExtensionSource source, ComputeSpec spec, PostgresInstall install, Duration interval) {
		this.source = source;
		this.spec = spec;
		this.install = install;
		this.interval = interval;
	}

	/** Reads the indexes for the first time. */
	synchronized ExtensionCatalog read() {
		this.catalog = ExtensionCatalog.of(this.source.index(this.spec.major(), this.spec.tenantId()),
				this.spec.availableExtensions(), preloadLibraries(), this.spec.listedOnly());
		this.lastIndexRead = System.nanoTime();
		return this.catalog;
	}

	ExtensionCatalog current() {
		return this.catalog;
	}

	/**
	 * The catalog after re-reading the indexes, unless they were read less than the
	 * interval ago.
	 */
	synchronized ExtensionCatalog refreshed() {
		long now = System.nanoTime();
		ExtensionCatalog current = this.catalog;
		if (now - this.lastIndexRead < this.interval.toNanos()) {
			return current;
		}
		this.lastIndexRead = now;
		try {
			ExtensionCatalog fresh = ExtensionCatalog.of(this.source.index(this.spec.major(), this.spec.tenantId()),
					this.spec.availableExtensions(), preloadLibraries(), this.spec.listedOnly());
			List<ExtIndexEntry> added = fresh.extensions()
				.stream()
				.filter((entry) -> current.index().find(entry.name().value()).isEmpty())
				.toList();
			if (added.isEmpty()) {
				return current;
			}
			List<ExtIndexEntry> merged = new ArrayList<>(current.extensions());
			merged.addAll(added);
			ControlFiles.write(this.install, added);
			log.info("Indexes re-read: {} extension(s) published since start: {}", added.size(),
					added.stream().map((entry) -> entry.name().value()).toList());
			this.catalog = new ExtensionCatalog(
					ExtIndex.of(current.index().pgMajor(), current.index().tenant(), merged));
			return this.catalog;
		}
		catch (IOException | RuntimeException ex) {
			log.warn("Re-reading the indexes failed, keeping the ones read at start: {}", ex.getMessage());
			return current;
		}
	}

	private List<String> preloadLibraries() {
		List<String> libraries = new ArrayList<>(this.spec.sharedPreloadLibraries());
		libraries.addAll(this.spec.sessionPreloadLibraries());
		return libraries;
	}

}
