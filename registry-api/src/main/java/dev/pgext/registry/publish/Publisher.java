package dev.pgext.registry.publish;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtFile;
import dev.pgext.registry.Jsonb;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.catalog.CatalogEntries;
import dev.pgext.registry.distribution.Distributions;
import dev.pgext.registry.events.EventTypes;
import dev.pgext.registry.events.Events;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.registry.projection.Projections;
import dev.pgext.registry.storage.Blobs;

/**
 * Makes a checked release visible. The request writes the content-addressed blobs first
 * (harmless if the transaction then fails) and then the catalog, in one transaction whose
 * first write, the release row, is guarded by a unique constraint: of two concurrent
 * publishes of one version, the second waits there and then fails. In that transaction it
 * also asks for the projections of the touched scope and majors (and, for a public
 * release, the mirror); nothing else in the store is written here. The compute manifest,
 * read from the catalog, shows the release as soon as the transaction commits;
 * {@code ext_index.json} and the seed layout follow when the reconciler has run.
 */
@Component
class Publisher {

	private final JdbcClient jdbc;

	private final Blobs blobs;

	private final AuditLog audit;

	private final TransactionTemplate transaction;

	private final Events events;

	private final CatalogEntries catalog;

	private final Projections projections;

	private final Distributions distributions;

	private final ReleaseRepository releases;

	Publisher(JdbcClient jdbc, Blobs blobs, AuditLog audit, TransactionTemplate transaction, Events events,
			CatalogEntries catalog, Projections projections, Distributions distributions, ReleaseRepository releases) {
		this.distributions = distributions;
		this.releases = releases;
		this.jdbc = jdbc;
		this.blobs = blobs;
		this.audit = audit;
		this.transaction = transaction;
		this.events = events;
		this.catalog = catalog;
		this.projections = projections;
	}

	boolean exists(Scope scope, String distribution, String version) {
		return this.releases.existsByScopeAndDistributionAndVersion(Scopes.column(scope), distribution, version);
	}

	/**
	 * Publishes a checked release.
	 * @param source its source distribution, or {@code null}
	 * @param readme its README, or {@code null}
	 */
	PublishedRelease publish(Caller caller, Scope scope, ReleaseMetadata metadata, List<PlannedExtension> planned,
			SourceDistribution source, String readme) {
		return this.transaction
			.execute((status) -> publishInTransaction(caller, scope, metadata, planned, source, readme));
	}

	private PublishedRelease publishInTransaction(Caller caller, Scope scope, ReleaseMetadata metadata,
			List<PlannedExtension> planned, SourceDistribution source, String readme) {
		String scopeColumn = Scopes.column(scope);
		this.distributions.claimForPublishing(caller, scopeColumn, metadata.name());
		for (String name : planned.stream()
			.map(PlannedExtension::name)
			.collect(Collectors.toCollection(TreeSet::new))) {
			claimExtensionName(scopeColumn, name, metadata.name());
		}

		// content first: nothing the catalog names may be missing from the store
		Map<Sha256Digest, ArtifactFile> blobs = new LinkedHashMap<>();
		planned.forEach((e) -> e.files().forEach((f) -> blobs.putIfAbsent(f.sha256(), f)));
		blobs.forEach((digest, file) -> this.blobs.store(digest, file.content(), file.size(),
				Blobs.contentType(file.path())));
		if (source != null) {
			this.blobs.store(source.sha256(), source.file(), source.size(), "application/zip");
		}

		Set<Release.Extension> extensions = new LinkedHashSet<>();
		for (PlannedExtension extension : planned) {
			Set<Release.File> files = new LinkedHashSet<>();
			extension.files()
				.forEach((file) -> files.add(new Release.File(file.path(), file.sha256().hex(), file.size())));
			extensions.add(new Release.Extension(null, scopeColumn, extension.major().value(), extension.name(),
					extension.control().defaultVersion(), extension.controlText(), extension.control().comment(),
					extension.libraries(), extension.control().requires(), extension.preload().json(),
					extension.control().trusted(), extension.control().superuser(), extension.platform().toString(),
					files));
		}
		Instant publishedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
		try {
			// the unique (scope, distribution, version) makes the second of two
			// concurrent
			// publishes wait here for the first, then fail
			this.releases.save(new Release(null, scopeColumn, metadata.name(), metadata.version(), metadata.summary(),
					metadata.description(), metadata.license(), metadata.tags(), new Jsonb(metadata.jsonText()),
					caller.userId(), publishedAt, null, null, null, extensions, metadata.text(),
					(source != null) ? source.sha256().hex() : null, (source != null) ? source.sha1() : null,
					(source != null) ? source.size() : null, readme));
		}
		catch (RuntimeException ex) {
			if (causedBy(ex, DuplicateKeyException.class)) {
				throw versionExists(scope, metadata);
			}
			throw ex;
		}
		// the SBOM needs the libraries' ELF headers, which only the artifact has
		byte[] sbom = ReleaseSbom.write(metadata, Scopes.tenantOf(scopeColumn), planned, publishedAt);
		this.jdbc.sql("update release set sbom = ? where scope = ? and distribution = ? and version = ?")
			.params(new String(sbom, StandardCharsets.UTF_8), scopeColumn, metadata.name(), metadata.version())
			.update();

		List<PublishedRelease.Extension> published = new ArrayList<>();
		for (PlannedExtension extension : planned) {
			List<ExtFile> files = new ArrayList<>(
					extension.files().stream().map((f) -> new ExtFile(f.path(), f.sha256(), f.size())).toList());
			files.sort(Comparator.naturalOrder());
			published.add(new PublishedRelease.Extension(extension.name(), extension.major().value(),
					metadata.version(), extension.control().defaultVersion(), extension.libraries(),
					extension.control().requires(), extension.preload().json(), extension.control().trusted(),
					extension.control().superuser(), files, extension.platform().toString()));
		}
		this.catalog.refresh(scopeColumn, planned.stream().map(PlannedExtension::name).toList());
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("version", metadata.version());
		detail.put("tenant", Scopes.tenantOf(scopeColumn));
		detail.put("extensions",
				published.stream()
					.map((e) -> e.name() + "@pg" + e.pgMajor()
							+ (Platform.parse(e.platform()).isDefault() ? "" : "/" + e.platform()))
					.toList());
		this.audit.record(caller.name(), "release.publish", metadata.name(), detail);

		this.projections.requestStore(scope, planned.stream().map(PlannedExtension::major).toList(), caller.name());
		published.sort(Comparator.comparing(PublishedRelease.Extension::name)
			.thenComparing(PublishedRelease.Extension::pgMajor)
			.thenComparing(PublishedRelease.Extension::platform));
		Map<String, Object> event = new LinkedHashMap<>();
		event.put("distribution", metadata.name());
		event.put("version", metadata.version());
		event.put("abstract", metadata.summary());
		event.put("published_by", caller.name());
		event.put("published_at", publishedAt.toString());
		event.put("extensions",
				published.stream()
					.map((e) -> Map.of("name", e.name(), "pg_major", e.pgMajor(), "platform", e.platform(), "version",
							e.version()))
					.toList());
		// last: the outbox lock it takes is held until the commit
		this.events.record(EventTypes.RELEASE_PUBLISHED, metadata.name(), Scopes.tenantOf(scopeColumn), caller.name(),
				event);
		return new PublishedRelease(metadata.name(), metadata.version(), Scopes.tenantOf(scopeColumn), caller.name(),
				publishedAt, published);
	}

	private void claimExtensionName(String scope, String name, String distribution) {
		this.jdbc.sql("insert into extension_name (scope, name, distribution) values (?, ?, ?) on conflict do nothing")
			.params(scope, name, distribution)
			.update();
		// a name that differs only in case, committed by a concurrent publish after the
		// checks, makes the insert do nothing and leaves no row of this spelling
		String owner = this.jdbc.sql("select distribution from extension_name where scope = ? and name = ?")
			.params(scope, name)
			.query(String.class)
			.optional()
			.orElseThrow(() -> RegistryException.conflict("name-differs-only-in-case",
					"extension name '" + name
							+ "' differs only in case from an extension published meanwhile; names are compared after "
							+ "folding to lower case"));
		if (!owner.equals(distribution)) {
			throw RegistryException.conflict("extension-name-taken",
					"extension " + name + " is already provided by distribution " + owner + " in this scope");
		}
	}

	private static boolean causedBy(Throwable ex, Class<? extends Throwable> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return true;
			}
		}
		return false;
	}

	static RegistryException versionExists(Scope scope, ReleaseMetadata metadata) {
		return RegistryException.conflict("version-exists",
				metadata.name() + " " + metadata.version() + " is already published"
						+ (scope.isPublic() ? "" : " for tenant " + scope.tenant())
						+ "; versions are immutable, publish a new version");
	}

}
