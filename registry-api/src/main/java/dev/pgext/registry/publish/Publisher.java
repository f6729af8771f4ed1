package dev.pgext.registry.publish;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.events.EventTypes;
import dev.pgext.registry.events.Events;
import dev.pgext.registry.manifest.ExtensionIndexes;
import dev.pgext.registry.manifest.SeedLayout;
import dev.pgext.registry.problem.RegistryException;

/**
 * Makes a checked release visible. Everything happens in one database transaction whose
 * first write, the release row, is guarded by a unique constraint: of two concurrent
 * publishes of one version, the second waits there and then fails. Inside the transaction
 * the store is written in reader-safe order (content-addressed blobs, then seed-layout
 * copies, then each {@code ext_index.json} under its advisory lock), and the commit comes
 * last. If anything fails after the first seed-layout write, the touched indexes and seed
 * files are rebuilt from the committed catalog, so only unreferenced blobs can remain.
 */
@Component
class Publisher {

	private static final Logger log = LoggerFactory.getLogger(Publisher.class);

	private final JdbcClient jdbc;

	private final ObjectStore store;

	private final ExtensionIndexes indexes;

	private final AuditLog audit;

	private final TransactionTemplate transaction;

	private final Events events;

	private final SeedLayout seedLayout;

	Publisher(JdbcClient jdbc, ObjectStore store, ExtensionIndexes indexes, AuditLog audit,
			TransactionTemplate transaction, Events events, SeedLayout seedLayout) {
		this.events = events;
		this.seedLayout = seedLayout;
		this.jdbc = jdbc;
		this.store = store;
		this.indexes = indexes;
		this.audit = audit;
		this.transaction = transaction;
	}

	boolean exists(Scope scope, String distribution, String version) {
		return this.jdbc.sql("select count(*) from release where scope = ? and distribution = ? and version = ?")
			.params(Scopes.column(scope), distribution, version)
			.query(Long.class)
			.single() > 0;
	}

	PublishedRelease publish(Caller caller, Scope scope, ReleaseMetadata metadata, List<PlannedExtension> planned) {
		Map<PgMajor, Set<String>> touched = new TreeMap<>();
		try {
			return this.transaction
				.execute((status) -> publishInTransaction(caller, scope, metadata, planned, touched));
		}
		catch (RuntimeException ex) {
			touched.forEach((major, paths) -> repair(scope, major, paths));
			throw ex;
		}
	}

	private PublishedRelease publishInTransaction(Caller caller, Scope scope, ReleaseMetadata metadata,
			List<PlannedExtension> planned, Map<PgMajor, Set<String>> touched) {
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
		blobs.forEach((digest, file) -> this.store.putIfAbsent(StoreLayout.blob(digest), file.content(),
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
		updateCatalog(scopeColumn, metadata, planned);
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("version", metadata.version());
		detail.put("tenant", Scopes.tenantOf(scopeColumn));
		detail.put("extensions", published.stream().map((e) -> e.name() + "@pg" + e.pgMajor()).toList());
		this.audit.record(caller.name(), "release.publish", metadata.name(), detail);

		Map<PgMajor, List<PlannedExtension>> byMajor = new TreeMap<>();
		planned.forEach((e) -> byMajor.computeIfAbsent(e.major(), (m) -> new ArrayList<>()).add(e));
		for (Map.Entry<PgMajor, List<PlannedExtension>> major : byMajor.entrySet()) {
			writeSeedLayout(scope, major.getKey(), major.getValue(), touched);
		}
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

	private void updateCatalog(String scope, ReleaseMetadata metadata, List<PlannedExtension> planned) {
		Map<String, List<PlannedExtension>> byName = new TreeMap<>();
		planned.forEach((e) -> byName.computeIfAbsent(e.name(), (n) -> new ArrayList<>()).add(e));
		byName.forEach((name, extensions) -> this.jdbc.sql("""
				insert into catalog_entry (scope, name, distribution, version, abstract, description, tags, pg_majors,
				    updated_at, document)
				values (:scope, :name, :distribution, :version, :abstract, :description, :tags, :majors, now(),
				    catalog_document(:name, :distribution, :provides, :abstract, :tags, :description))
				on conflict (scope, name) do update set distribution = excluded.distribution,
				    version = excluded.version, abstract = excluded.abstract, description = excluded.description,
				    tags = excluded.tags, updated_at = now(), document = excluded.document,
				    pg_majors = (select array_agg(distinct m order by m)
				        from unnest(catalog_entry.pg_majors || excluded.pg_majors) m)
				""")
			.param("scope", scope)
			.param("name", name)
			.param("distribution", metadata.name())
			.param("provides", String.join(" ", byName.keySet()))
			.param("version", metadata.version())
			.param("abstract", extensions.get(0).summary())
			.param("description", metadata.description())
			.param("tags", metadata.tags().toArray(String[]::new))
			.param("majors",
					extensions.stream().map((e) -> e.major().value()).distinct().sorted().toArray(Integer[]::new))
			.update());
	}

	private void writeSeedLayout(Scope scope, PgMajor major, List<PlannedExtension> extensions,
			Map<PgMajor, Set<String>> touched) {
		this.indexes.lock(scope, major);
		Set<String> names = extensions.stream().map(PlannedExtension::name).collect(Collectors.toSet());
		Set<String> paths = touched.computeIfAbsent(major, (m) -> new LinkedHashSet<>());
		// files other extensions of this scope still use must survive the removal of
		// stale ones
		Set<String> stillUsed = new HashSet<>();
		ExtIndex index = this.indexes.build(scope, major);
		for (ExtIndexEntry entry : index.extensions()) {
			if (!names.contains(entry.name().value())) {
				entry.files().forEach((file) -> stillUsed.add(file.path()));
			}
		}
		Set<String> current = new HashSet<>();
		for (PlannedExtension extension : extensions) {
			for (ArtifactFile file : extension.files()) {
				paths.add(file.path());
				current.add(file.path());
				this.store.put(StoreLayout.seedFile(scope, major, file.path()), file.content(),
						contentType(file.path()));
			}
		}
		for (String stale : replacedFiles(scope, major, names)) {
			if (!current.contains(stale) && !stillUsed.contains(stale)) {
				paths.add(stale);
				this.store.delete(StoreLayout.seedFile(scope, major, stale));
			}
		}
		this.indexes.write(scope, index);
	}

	/** Files of the releases this publish replaces, for the extensions it publishes. */
	private List<String> replacedFiles(Scope scope, PgMajor major, Set<String> names) {
		return this.jdbc.sql("""
				select distinct f.path from release_file f join release_extension e on e.id = f.extension_id
				where e.scope = ? and e.pg_major = ? and e.name = any(?)
				  and e.id = (select e2.id from release_extension e2 join release r2 on r2.id = e2.release_id
				      where e2.scope = e.scope and e2.pg_major = e.pg_major and e2.name = e.name
				        and r2.yanked_at is null order by e2.id desc offset 1 limit 1)
				""")
			.params(Scopes.column(scope), major.value(), names.toArray(String[]::new))
			.query(String.class)
			.list();
	}

	private void repair(Scope scope, PgMajor major, Set<String> paths) {
		try {
			this.seedLayout.restore(scope, major, paths);
		}
		catch (RuntimeException ex) {
			log.error("Could not restore the seed layout and index of {} for PG {} after a failed publish; the next "
					+ "publish into that scope rewrites them", scope, major, ex);
		}
	}

	static RegistryException versionExists(Scope scope, ReleaseMetadata metadata) {
		return RegistryException.conflict("version-exists",
				metadata.name() + " " + metadata.version() + " is already published"
						+ (scope.isPublic() ? "" : " for tenant " + scope.tenant())
						+ "; versions are immutable, publish a new version");
	}

	static String contentType(String path) {
		return SeedLayout.contentType(path);
	}

}
