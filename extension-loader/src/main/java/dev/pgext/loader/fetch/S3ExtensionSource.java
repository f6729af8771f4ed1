package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.loader.trust.MetadataTrust;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.TenantId;
import dev.pgext.model.control.ControlFile;
import dev.pgext.model.signing.MetadataRejectedException;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.model.store.ObjectStoreException;
import dev.pgext.model.store.S3ObjectStore;

/**
 * Reads the extension store bucket directly: the public and the tenant's
 * {@code ext_index.json} of this loader's platform
 * ({@link StoreLayout#extIndex(Scope, PgMajor, Platform)}: no other platform's index is
 * ever read), each verified against its detached signature before a digest in it is
 * trusted, the per-library preload documents beside them the same way, and files from
 * {@code blobs/sha256/<hex>}.
 */
public final class S3ExtensionSource implements StreamingExtensionSource, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(S3ExtensionSource.class);

	/**
	 * Where a signature is fetched while its index streams, and the tenant's index beside
	 * the public one: a few GETs per start, on threads that never keep the JVM alive.
	 */
	private static final Executor READS = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "pgext-index-read");
		thread.setDaemon(true);
		return thread;
	});

	private final ObjectStore store;

	private final Platform platform;

	private final MetadataTrust trust;

	/** The store this source closes with it, when it made it; else null. */
	private final S3ObjectStore owned;

	/** The most bytes an index or preload document may have. */
	private final long indexMaxSize;

	/** How long one body from the store may take to read. */
	private final Duration readTimeout;

	/** The default of {@code pgext.loader.s3-read-timeout}. */
	public static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

	/** A source of the default platform's builds that checks no signature. */
	public S3ExtensionSource(ObjectStore store) {
		this(store, Platform.DEFAULT);
	}

	/** A source of {@code platform}'s builds that checks no signature. */
	public S3ExtensionSource(ObjectStore store, Platform platform) {
		this(store, platform, MetadataTrust.none());
	}

	/**
	 * A source of {@code platform}'s builds whose indexes must pass {@code trust} (their
	 * detached signature {@code ext_index.json.sig} beside them) before any digest is
	 * read.
	 */
	public S3ExtensionSource(ObjectStore store, Platform platform, MetadataTrust trust) {
		this(store, platform, trust, null, IndexText.DEFAULT_MAX_SIZE, READ_TIMEOUT);
	}

	private S3ExtensionSource(ObjectStore store, Platform platform, MetadataTrust trust, S3ObjectStore owned,
			long indexMaxSize, Duration readTimeout) {
		this.store = store;
		this.platform = platform;
		this.trust = trust;
		this.owned = owned;
		this.indexMaxSize = indexMaxSize;
		this.readTimeout = readTimeout;
	}

	/**
	 * This source, refusing an index or preload document of more than {@code bytes} bytes
	 * as soon as that many have arrived (closed with the same store).
	 */
	public S3ExtensionSource withIndexMaxSize(long bytes) {
		return new S3ExtensionSource(this.store, this.platform, this.trust, this.owned, bytes, this.readTimeout);
	}

	/**
	 * This source, giving up a body from the store (an index, a preload document, a file)
	 * once it has kept its reader waiting for {@code limit} in all ({@link ReadDeadline}:
	 * the loader's own time between reads does not count): its connection is aborted and
	 * the read fails as a network error does (a file download is retried).
	 */
	public S3ExtensionSource withReadTimeout(Duration limit) {
		return new S3ExtensionSource(this.store, this.platform, this.trust, this.owned, this.indexMaxSize, limit);
	}

	/**
	 * As {@link #S3ExtensionSource(ObjectStore, Platform, MetadataTrust)}, over a store
	 * made for this source alone: {@link #close()} closes it (its client's connections
	 * and threads).
	 */
	public static S3ExtensionSource owning(S3ObjectStore store, Platform platform, MetadataTrust trust) {
		return new S3ExtensionSource(store, platform, trust, store, IndexText.DEFAULT_MAX_SIZE, READ_TIMEOUT);
	}

	/**
	 * Closes the store this source owns, if it owns one; a store given to it stays open.
	 */
	@Override
	public void close() {
		if (this.owned != null) {
			this.owned.close();
		}
	}

	@Override
	public SkimmedIndex skimmedIndex(PgMajor major, TenantId tenant, IndexText.EntryListener early) {
		String publicKey = StoreLayout.extIndex(Scope.PUBLIC, major, this.platform);
		// the tenant's index is read beside the public one: a start waits for the larger
		CompletableFuture<IndexText> tenantIndex = (tenant != null)
				? CompletableFuture.supplyAsync(
						() -> read(StoreLayout.extIndex(Scope.tenant(tenant), major, this.platform), early), READS)
				: CompletableFuture.completedFuture(null);
		IndexText publicIndex;
		try {
			publicIndex = read(publicKey, early);
		}
		finally {
			// never left running behind a failure
			joinQuietly(tenantIndex);
		}
		IndexText tenantText = join(tenantIndex);
		try {
			return SkimmedIndex.merge(major, tenant, publicIndex, tenantText);
		}
		catch (IllegalArgumentException ex) {
			throw new FetchException(FetchException.Reason.MISSING, publicKey + ": " + ex.getMessage(), ex);
		}
	}

	private static void joinQuietly(CompletableFuture<?> future) {
		try {
			future.join();
		}
		catch (CompletionException | CancellationException ex) {
			// reported by the caller's join
		}
	}

	/**
	 * Streams the index at {@code key}, hashing it as it is skimmed, then checks the hash
	 * against its signature: one read of the bytes. The signature is fetched while the
	 * index streams.
	 */
	private IndexText read(String key, IndexText.EntryListener early) {
		try {
			CompletableFuture<byte[]> pendingSignature = signature(key);
			// a scope that has published nothing yet has no index: it offers no extension
			IndexText index = stream(key, early);
			if (index == null) {
				pendingSignature.cancel(false);
				return null;
			}
			byte[] signature = join(pendingSignature);
			if (!this.trust.verifiesOrMayBeMidWrite(key, index.sha256(), index.size(), signature)) {
				// the registry writes the index, then its signature: a read between the
				// two sees a new index with the old signature, which a second read no
				// longer does
				IndexText again = stream(key, early);
				index = (again != null) ? again : index;
				signature = this.store.getBytes(key + MetadataSignature.SUFFIX).orElse(null);
				this.trust.verify(key, index.sha256(), index.size(), signature);
			}
			return index;
		}
		catch (MetadataRejectedException ex) {
			throw new FetchException(FetchException.Reason.UNTRUSTED, "refusing " + key + ": " + ex.getMessage(), ex);
		}
		catch (ObjectStoreException | UncheckedIOException ex) {
			throw new FetchException(FetchException.Reason.UNAVAILABLE,
					"reading " + key + " failed: " + ex.getMessage(), ex);
		}
		catch (IllegalArgumentException ex) {
			throw new FetchException(FetchException.Reason.MISSING, key + ": " + ex.getMessage(), ex);
		}
	}

	private CompletableFuture<byte[]> signature(String key) {
		return CompletableFuture.supplyAsync(() -> this.store.getBytes(key + MetadataSignature.SUFFIX).orElse(null),
				READS);
	}

	/**
	 * Reads the public per-library preload documents of {@code libraries} side by side,
	 * each verified against its own detached signature (document name: its store key) as
	 * an index is. A tenant's compute reads the whole indexes: a tenant entry may replace
	 * a public one of the same name, which no public document can tell.
	 */
	@Override
	public Optional<SkimmedIndex> preloadIndex(PgMajor major, TenantId tenant, Collection<String> libraries) {
		if (tenant != null) {
			log.info("Reading the whole indexes before launch: tenant {} may replace public extensions", tenant);
			return Optional.empty();
		}
		Map<String, CompletableFuture<Document>> reads = new LinkedHashMap<>();
		for (String library : libraries) {
			String name = ControlFile.libraryName(library);
			if (!StoreLayout.isPreloadLibrary(name)) {
				log.info("Reading the whole index before launch: library '{}' has no preload document", name);
				return Optional.empty();
			}
			String key = StoreLayout.preloadDocument(Scope.PUBLIC, major, this.platform, name);
			reads.computeIfAbsent(key, (k) -> CompletableFuture.supplyAsync(() -> document(key), READS));
		}
		List<IndexText> documents = new ArrayList<>();
		String missing = null;
		for (CompletableFuture<Document> read : reads.values()) {
			// every read is waited for: none is left running behind the start
			Document document = read.join();
			if (document.text() != null) {
				documents.add(document.text());
			}
			else if (missing == null) {
				missing = document.problem();
			}
		}
		if (missing != null) {
			log.info("Reading the whole index before launch: {}", missing);
			return Optional.empty();
		}
		try {
			return Optional.of(SkimmedIndex.ofDocuments(major, null, documents));
		}
		catch (IllegalArgumentException ex) {
			log.info("Reading the whole index before launch: {}", ex.getMessage());
			return Optional.empty();
		}
	}

	/**
	 * One preload document read and verified, or why not.
	 *
	 * @param text the verified document, or {@code null}
	 * @param problem why there is none
	 */
	private record Document(IndexText text, String problem) {
	}

	/**
	 * Reads and verifies the preload document at {@code key}; never throws: a document
	 * that is missing, unreadable or refused (the refusal counted and kept for health by
	 * {@link MetadataTrust}) is a problem the caller falls back from.
	 */
	private Document document(String key) {
		try {
			return new Document(read(key, IndexText.EntryListener.NONE), key + " is missing");
		}
		catch (FetchException ex) {
			return new Document(null, ex.getMessage());
		}
		catch (RuntimeException ex) {
			return new Document(null, "reading " + key + " failed: " + ex.getMessage());
		}
	}

	private static <T> T join(CompletableFuture<T> pending) {
		try {
			return pending.join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw ex;
		}
	}

	private IndexText stream(String key, IndexText.EntryListener early) {
		Optional<InputStream> body = this.store.get(key);
		if (body.isEmpty()) {
			return null;
		}
		try (InputStream in = ReadDeadline.of(body.get(), key, this.readTimeout)) {
			return IndexText.read(in, -1, early, this.indexMaxSize);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public InputStream open(Sha256Digest digest) {
		String key = StoreLayout.blob(digest);
		try {
			InputStream body = this.store.get(key)
				.orElseThrow(() -> new FetchException(FetchException.Reason.MISSING, "the store has no " + key));
			return ReadDeadline.of(body, key, this.readTimeout);
		}
		catch (ObjectStoreException ex) {
			throw new FetchException(FetchException.Reason.UNAVAILABLE, ex.getMessage(), ex);
		}
	}

	@Override
	public String name() {
		return "s3";
	}

}
