package dev.pgext.registry.manifest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.signing.MetadataSigning;
import dev.pgext.registry.signing.SigningProperties;

/**
 * Compute manifests built once per change. Every registry instance listens on the
 * database channel {@code pgext_manifest}, which triggers notify on commit of any change
 * to what a manifest shows (migration V60); a notification for the public scope drops
 * every cached manifest of that major, one for a tenant drops that tenant's. While the
 * listening connection is down (start-up, a lost connection) nothing is cached and every
 * request builds its manifest from the catalog, so an answer is never older than the last
 * change the listener has seen. A transaction of this instance that changed what a
 * manifest shows drops every cached manifest as it commits ({@link LocalCommits}), so its
 * own clients read their writes without waiting for the notification. A build that
 * overlaps an invalidation is served but not kept.
 */
@Component
class ManifestCache implements SmartLifecycle {

	static final String CHANNEL = "pgext_manifest";

	private static final Log logger = LogFactory.getLog(ManifestCache.class);

	private static final int MAX_ENTRIES = 10_000;

	/**
	 * One manifest as sent: identity and gzip bodies with their validators, the
	 * {@code Pgext-Signature} header value (base64 of the signature document of the
	 * identity body), {@code null} when the registry runs unsigned.
	 */
	record Manifest(byte[] body, byte[] gzipBody, String etag, String gzipEtag, Instant lastModified, String signature,
			Instant signatureRefresh, String[] identityValidators, String[] gzipValidators) {

		/**
		 * A manifest whose validator headers
		 * ({@link ManifestController#validatorHeaders}) are rendered here, once, rather
		 * than on every request.
		 */
		Manifest(byte[] body, byte[] gzipBody, String etag, String gzipEtag, Instant lastModified, String signature,
				Instant signatureRefresh) {
			this(body, gzipBody, etag, gzipEtag, lastModified, signature, signatureRefresh,
					ManifestController.validatorHeaders(etag, lastModified, signature),
					ManifestController.validatorHeaders(gzipEtag, lastModified, signature));
		}

		/**
		 * The headers a 200 and a 304 of the identity or gzip encoding share, as name and
		 * value pairs: {@code [name0, value0, name1, value1, ...]}.
		 */
		String[] validators(boolean gzip) {
			return gzip ? this.gzipValidators : this.identityValidators;
		}

		/**
		 * Whether the signature nears its expiry, so the manifest is built and signed
		 * again.
		 */
		boolean signatureStale(Instant now) {
			return this.signatureRefresh != null && !now.isBefore(this.signatureRefresh);
		}

	}

	private record Key(int major, String scope, Platform platform) {
	}

	private final ExtensionIndexes indexes;

	private final JdbcClient jdbc;

	private final DataSource dataSource;

	private final TransactionTemplate transactions;

	private final Map<Key, Manifest> cache = new ConcurrentHashMap<>();

	/**
	 * Bumped on every invalidation; a build keeps its result only if this did not move
	 * meanwhile.
	 */
	private final AtomicLong generation = new AtomicLong();

	private volatile boolean listening;

	private volatile boolean running;

	private volatile Thread listener;

	private final MetadataSigning signing;

	private final Duration refreshBefore;

	ManifestCache(ExtensionIndexes indexes, JdbcClient jdbc, DataSource dataSource,
			PlatformTransactionManager transactionManager, LocalCommits localCommits, MetadataSigning signing,
			SigningProperties signingProperties) {
		this.indexes = indexes;
		this.signing = signing;
		this.refreshBefore = signingProperties.refreshBefore();
		this.jdbc = jdbc;
		this.dataSource = dataSource;
		this.transactions = new TransactionTemplate(transactionManager);
		this.transactions.setReadOnly(true);
		this.transactions.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		localCommits.onCommit(this::invalidateAll);
	}

	/**
	 * The manifest of a scope for one major and platform if it is cached and its
	 * signature is not near expiry, without building it.
	 */
	Optional<Manifest> cached(PgMajor major, Scope scope, Platform platform) {
		return Optional.ofNullable(this.cache.get(new Key(major.value(), Scopes.column(scope), platform)))
			.filter((manifest) -> !manifest.signatureStale(Instant.now()));
	}

	/**
	 * The manifest of a scope (public, or a tenant's merged over public) for one major
	 * and platform.
	 */
	Manifest get(PgMajor major, Scope scope, Platform platform) {
		Key key = new Key(major.value(), Scopes.column(scope), platform);
		Manifest cached = this.cache.get(key);
		if (cached != null && !cached.signatureStale(Instant.now())) {
			return cached;
		}
		long before = this.generation.get();
		boolean cacheable = this.listening;
		Manifest built = this.transactions.execute((status) -> build(major, scope, platform));
		if (cacheable && this.listening && this.generation.get() == before) {
			if (this.cache.size() >= MAX_ENTRIES) {
				this.cache.clear();
			}
			this.cache.put(key, built);
		}
		return built;
	}

	private Manifest build(PgMajor major, Scope scope, Platform platform) {
		byte[] body = ExtIndexJson.writeCompact(this.indexes.manifest(major, scope, platform));
		String digest = Sha256Digest.of(body).prefixed();
		Timestamp changed = this.jdbc
			.sql("select max(greatest(r.published_at, r.yanked_at)) from release r where r.scope in ('', ?) "
					+ "and exists (select 1 from release_extension e where e.release_id = r.id and e.pg_major = ? "
					+ "and e.platform = ?)")
			.params(Scopes.column(scope), major.value(), platform.toString())
			.query(Timestamp.class)
			.optional()
			.orElse(null); // null when no release has files for that major and platform
		Instant lastModified = (changed != null) ? changed.toInstant().truncatedTo(ChronoUnit.SECONDS) : null;
		// signed once per cached body; the version is the catalog's change sequence (the
		// event
		// outbox only grows), the same on every instance for the same committed state
		long version = this.jdbc.sql("select coalesce(max(id), 0) from event").query(Long.class).single();
		MetadataSignature signature = this.signing.sign(document(major, scope, platform), body, version).orElse(null);
		return new Manifest(body, gzip(body), "\"" + digest + "\"", "\"" + digest + "+gzip\"", lastModified,
				(signature != null) ? Base64.getEncoder().encodeToString(signature.toJson()) : null,
				(signature != null) ? signature.expiresAt().minus(this.refreshBefore) : null);
	}

	/**
	 * The document name a manifest's signature carries, such as
	 * {@code compute-manifests/15/linux-amd64-gnu/acme} ({@code public} for the public
	 * scope).
	 */
	static String document(PgMajor major, Scope scope, Platform platform) {
		String column = Scopes.column(scope);
		return "compute-manifests/" + major + "/" + platform + "/" + (column.isEmpty() ? "public" : column);
	}

	private static byte[] gzip(byte[] body) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
		try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
			gzip.write(body);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	void invalidate(int major, String scope) {
		this.generation.incrementAndGet();
		if (scope.isEmpty()) {
			this.cache.keySet().removeIf((key) -> key.major() == major);
		}
		else {
			this.cache.keySet().removeIf((key) -> key.major() == major && key.scope().equals(scope));
		}
	}

	private void invalidateAll() {
		this.generation.incrementAndGet();
		this.cache.clear();
	}

	/** Whether answers currently come from memory (the listener is connected). */
	boolean listening() {
		return this.listening;
	}

	private void listen() {
		while (this.running) {
			try (Connection connection = this.dataSource.getConnection()) {
				try (Statement statement = connection.createStatement()) {
					statement.execute("listen " + CHANNEL);
				}
				PGConnection postgres = connection.unwrap(PGConnection.class);
				// anything committed before LISTEN took effect is read by the next build
				invalidateAll();
				this.listening = true;
				while (this.running) {
					PGNotification[] notifications = postgres.getNotifications(250);
					if (notifications != null) {
						for (PGNotification notification : notifications) {
							received(notification.getParameter());
						}
					}
				}
			}
			catch (SQLException | RuntimeException ex) {
				if (this.running) {
					logger.warn("Manifest change listener lost its connection; serving uncached until it is back", ex);
				}
			}
			finally {
				this.listening = false;
				invalidateAll();
			}
			if (this.running) {
				try {
					Thread.sleep(1000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	private void received(String payload) {
		int space = payload.indexOf(' ');
		try {
			invalidate(Integer.parseInt(payload.substring(0, space)), payload.substring(space + 1));
		}
		catch (RuntimeException ex) {
			invalidateAll();
		}
	}

	@Override
	public void start() {
		this.running = true;
		Thread thread = new Thread(this::listen, "manifest-listener");
		thread.setDaemon(true);
		this.listener = thread;
		thread.start();
	}

	@Override
	public void stop() {
		this.running = false;
		Thread thread = this.listener;
		if (thread != null) {
			thread.interrupt();
			try {
				thread.join(5000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.listening = false;
		invalidateAll();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
