package dev.pgext.registry.publish;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtFile;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.catalog.CatalogEntries;
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
 * also asks for the projections of the touched scope and majors (and, for a public release,
 * the mirror); nothing else in the store is written here. The compute manifest, read from the
 * catalog, shows the release as soon as the transaction commits; {@code ext_index.json} and
 * the seed layout follow when the reconciler has run.
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

	Publisher(JdbcClient jdbc, Blobs blobs, AuditLog audit, TransactionTemplate transaction, Events events,
			CatalogEntries catalog, Projections projections) {
		this.jdbc = jdbc;
		this.blobs = blobs;
		this.audit = audit;
		this.transaction = transaction;
		this.events = events;
		this.catalog = catalog;
		this.projections = projections;
	}

	boolean exists(Scope scope, String distribution, String version) {
		return this.jdbc.sql("select count(*) from release where scope = ? and distribution = ? and version = ?")
			.params(Scopes.column(scope), distribution, version)
			.query(Long.class)
			.single() > 0;
	}

	PublishedRelease publish(Caller caller, Scope scope, ReleaseMetadata metadata, List<PlannedExtension> planned) {
		return this.transaction.execute((status) -> publishInTransaction(caller, scope, metadata, planned));
	}

	private PublishedRelease publishInTransaction(Caller caller, Scope scope, ReleaseMetadata metadata,
			List<PlannedExtension> planned) {
		String scopeColumn = Scopes.column(scope);
		claimDistribution(caller, scopeColumn, metadata.name());
		long releaseId;
		Instant publishedAt;
		try {
			var row = this.jdbc
				.sql("insert into release (scope, distribution, version, abstract, description, license, tags, "
						+ "metadata, published_by) values (?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), ?) "
						+ "returning id, published_at")
				.params(scopeColumn, metadata.name(), metadata.version(), metadata.summary(), metadata.description(),
						metadata.license(), metadata.tags().toArray(String[]::new), metadata.jsonText(),
						caller.userId())
				.query((rs, n) -> Map.entry(rs.getLong(1), rs.getTimestamp(2).toInstant()))
				.single();
			releaseId = row.getKey();
			publishedAt = row.getValue();
		}
		catch (DuplicateKeyException ex) {
			throw versionExists(scope, metadata);
		}
		for (String name : planned.stream()
			.map(PlannedExtension::name)
			.collect(Collectors.toCollection(TreeSet::new))) {
			claimExtensionName(scopeColumn, name, metadata.name());
		}

		// content first: nothing below may name a blob that is not in the store yet
		Map<Sha256Digest, ArtifactFile> blobs = new LinkedHashMap<>();
		planned.forEach((e) -> e.files().forEach((f) -> blobs.putIfAbsent(f.sha256(), f)));
		blobs.forEach((digest, file) -> this.blobs.store(digest, file.content(), file.size(),
				contentType(file.path())));

		List<PublishedRelease.Extension> published = new ArrayList<>();
		for (PlannedExtension extension : planned) {
			long extensionId = this.jdbc
				.sql("insert into release_extension (release_id, scope, pg_major, name, default_version, control, "
						+ "comment, libraries, requires, preload, trusted, superuser) "
						+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id")
				.params(releaseId, scopeColumn, extension.major().value(), extension.name(),
						extension.control().defaultVersion(), extension.controlText(), extension.control().comment(),
						extension.libraries().toArray(String[]::new),
						extension.control().requires().toArray(String[]::new), extension.preload().json(),
						extension.control().trusted(), extension.control().superuser())
				.query(Long.class)
				.single();
			List<ExtFile> files = new ArrayList<>();
			for (ArtifactFile file : extension.files()) {
				this.jdbc.sql("insert into release_file (extension_id, path, sha256, size) values (?, ?, ?, ?)")
					.params(extensionId, file.path(), file.sha256().hex(), file.size())
					.update();
				files.add(new ExtFile(file.path(), file.sha256(), file.size()));
			}
			files.sort(Comparator.naturalOrder());
			published.add(new PublishedRelease.Extension(extension.name(), extension.major().value(),
					metadata.version(), extension.control().defaultVersion(), extension.libraries(),
					extension.control().requires(), extension.preload().json(), extension.control().trusted(),
					extension.control().superuser(), files));
		}
		this.catalog.refresh(scopeColumn, planned.stream().map(PlannedExtension::name).toList());
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("version", metadata.version());
		detail.put("tenant", Scopes.tenantOf(scopeColumn));
		detail.put("extensions", published.stream().map((e) -> e.name() + "@pg" + e.pgMajor()).toList());
		this.audit.record(caller.name(), "release.publish", metadata.name(), detail);

		this.projections.requestStore(scope, planned.stream().map(PlannedExtension::major).toList(), caller.name());
		published.sort(Comparator.comparing(PublishedRelease.Extension::name)
			.thenComparing(PublishedRelease.Extension::pgMajor));
		Map<String, Object> event = new LinkedHashMap<>();
		event.put("distribution", metadata.name());
		event.put("version", metadata.version());
		event.put("abstract", metadata.summary());
		event.put("published_by", caller.name());
		event.put("published_at", publishedAt.toString());
		event.put("extensions", published.stream()
			.map((e) -> Map.of("name", e.name(), "pg_major", e.pgMajor(), "version", e.version()))
			.toList());
		// last: the outbox lock it takes is held until the commit
		this.events.record(EventTypes.RELEASE_PUBLISHED, metadata.name(), Scopes.tenantOf(scopeColumn), caller.name(),
				event);
		return new PublishedRelease(metadata.name(), metadata.version(), Scopes.tenantOf(scopeColumn), caller.name(),
				publishedAt, published);
	}

	private void claimDistribution(Caller caller, String scope, String name) {
		int created = this.jdbc.sql("insert into distribution (scope, name) values (?, ?) on conflict do nothing")
			.params(scope, name)
			.update();
		if (created == 1) {
			this.jdbc.sql("insert into distribution_maintainer (scope, name, user_id, role) values (?, ?, ?, 'owner')")
				.params(scope, name, caller.userId())
				.update();
			return;
		}
		boolean maintainer = this.jdbc
			.sql("select count(*) from distribution_maintainer where scope = ? and name = ? and user_id = ?")
			.params(scope, name, caller.userId())
			.query(Long.class)
			.single() > 0;
		if (!maintainer && !caller.isAdmin()) {
			throw RegistryException.forbidden("distribution " + name + " belongs to other maintainers; ask an owner "
					+ "to add you (POST /api/v1/distributions/" + name + "/maintainers)");
		}
	}

	private void claimExtensionName(String scope, String name, String distribution) {
		this.jdbc.sql("insert into extension_name (scope, name, distribution) values (?, ?, ?) on conflict do nothing")
			.params(scope, name, distribution)
			.update();
		String owner = this.jdbc.sql("select distribution from extension_name where scope = ? and name = ?")
			.params(scope, name)
			.query(String.class)
			.single();
		if (!owner.equals(distribution)) {
			throw RegistryException.conflict("extension-name-taken",
					"extension " + name + " is already provided by distribution " + owner + " in this scope");
		}
	}

	static RegistryException versionExists(Scope scope, ReleaseMetadata metadata) {
		return RegistryException.conflict("version-exists",
				metadata.name() + " " + metadata.version() + " is already published"
						+ (scope.isPublic() ? "" : " for tenant " + scope.tenant())
						+ "; versions are immutable, publish a new version");
	}

	static String contentType(String path) {
		return (path.endsWith(".sql") || path.endsWith(".control")) ? "text/plain; charset=utf-8"
				: "application/octet-stream";
	}

}
