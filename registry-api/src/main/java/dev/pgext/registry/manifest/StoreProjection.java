package dev.pgext.registry.manifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.projection.Projection;
import dev.pgext.registry.projection.ProjectionSource;
import dev.pgext.registry.projection.ProjectionTarget;
import dev.pgext.registry.storage.Blobs;

/**
 * The seed layout and {@code ext_index.json} of one scope, major and platform as a
 * projection: a copy of each file of each current extension under
 * {@code <prefix>share/...} and {@code <prefix>lib/...}, and the index, written last,
 * where the prefix is {@link StoreLayout#platformPrefix} ({@code [<tenant>/]<pg>/} for
 * {@code linux-amd64-gnu}, {@code [<tenant>/]<pg>/<platform>/} for any other). The target
 * owns every key under {@code share/} and {@code lib/} of its prefix and its index, so
 * the default platform's target never touches another platform's keys; a scope, major and
 * platform with no release at all has no index either.
 */
@Component
class StoreProjection implements ProjectionSource {

	private final JdbcClient jdbc;

	private final ExtensionIndexes indexes;

	StoreProjection(JdbcClient jdbc, ExtensionIndexes indexes) {
		this.jdbc = jdbc;
		this.indexes = indexes;
	}

	@Override
	public boolean handles(ProjectionTarget target) {
		return target instanceof ProjectionTarget.Store;
	}

	@Override
	public Optional<Projection> project(ProjectionTarget target, boolean full) {
		ProjectionTarget.Store store = (ProjectionTarget.Store) target;
		Scope scope = store.scope();
		PgMajor major = store.major();
		Platform platform = store.platform();
		String prefix = StoreLayout.platformPrefix(scope, major, platform);
		String indexKey = StoreLayout.extIndex(scope, major, platform);
		Map<String, Projection.Desired> objects = new TreeMap<>();
		if (hasReleases(scope, major, platform)) {
			ExtIndex index = this.indexes.build(scope, major, platform);
			for (ExtIndexEntry entry : index.extensions()) {
				for (ExtFile file : entry.files()) {
					// two current extensions shipping one path: the first by name keeps
					// it
					objects.putIfAbsent(StoreLayout.seedFile(scope, major, platform, file.path()),
							new Projection.BlobCopy(file.sha256(), file.size(), Blobs.contentType(file.path())));
				}
			}
			objects.put(indexKey, new Projection.Generated(ExtIndexJson.writeCompact(index), "application/json"));
		}
		return Optional.of(new Projection(prefix, objects, indexKey, (key) -> owned(prefix, key)));
	}

	@Override
	public List<ProjectionTarget> targets() {
		Set<String> scopes = new LinkedHashSet<>();
		scopes.add("");
		scopes.addAll(this.jdbc
			.sql("select scope from release union select tenant from registry_user where tenant is not null "
					+ "order by 1")
			.query(String.class)
			.list());
		// every scope has the default platform's targets; another platform's only once
		// the
		// scope has published a build for it, so a full reconcile does not list empty
		// prefixes
		Map<String, Set<Platform>> platforms = new TreeMap<>();
		this.jdbc.sql("select distinct scope, platform from release_extension where platform <> ?")
			.param(Platform.DEFAULT.toString())
			.query((rs) -> {
				platforms
					.computeIfAbsent(rs.getString(1), (k) -> new TreeSet<>(Comparator.comparing(Platform::toString)))
					.add(Platform.parse(rs.getString(2)));
			});
		List<ProjectionTarget> targets = new ArrayList<>();
		for (String scope : scopes) {
			for (PgMajor major : PgMajor.supported()) {
				targets.add(new ProjectionTarget.Store(Scopes.fromColumn(scope), major, Platform.DEFAULT));
				for (Platform platform : platforms.getOrDefault(scope, Set.of())) {
					targets.add(new ProjectionTarget.Store(Scopes.fromColumn(scope), major, platform));
				}
			}
		}
		return targets;
	}

	private boolean hasReleases(Scope scope, PgMajor major, Platform platform) {
		return this.jdbc
			.sql("select exists (select 1 from release_extension where scope = ? and pg_major = ? and platform = ?)")
			.params(Scopes.column(scope), major.value(), platform.toString())
			.query(Boolean.class)
			.single();
	}

	private static boolean owned(String prefix, String key) {
		if (!key.startsWith(prefix)) {
			return false;
		}
		String rest = key.substring(prefix.length());
		return rest.equals(StoreLayout.EXT_INDEX) || rest.startsWith("share/") || rest.startsWith("lib/");
	}

}
