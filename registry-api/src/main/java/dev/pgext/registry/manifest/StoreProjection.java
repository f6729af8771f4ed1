package dev.pgext.registry.manifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.projection.ExtIndexDocument;
import dev.pgext.registry.projection.Projection;
import dev.pgext.registry.projection.ProjectionSource;
import dev.pgext.registry.projection.ProjectionStates;
import dev.pgext.registry.projection.ProjectionTarget;
import dev.pgext.registry.storage.Blobs;

/**
 * The seed layout, the preload documents and {@code ext_index.json} of one scope, major
 * and platform as a projection: a copy of each file of each current extension under
 * {@code <prefix>share/...} and {@code <prefix>lib/...}, per library a current entry
 * provides a signed {@code <prefix>preload/<library>.json} (an index holding the entry
 * that provides it and its {@code requires} closure, what a loader reads instead of the
 * whole index before Postgres launches), and the index, written last, where the prefix is
 * {@link StoreLayout#platformPrefix} ({@code [<tenant>/]<pg>/} for
 * {@code linux-amd64-gnu}, {@code [<tenant>/]<pg>/<platform>/} for any other). The target
 * owns every key under {@code share/}, {@code lib/} and {@code preload/} of its prefix
 * and its index, so the default platform's target never touches another platform's keys;
 * a scope, major and platform with no release at all has no index either.
 * <p>
 * The index is assembled from the entries' bytes kept in a {@link StoreIndexView} per
 * target. A run that continues from the outbox event the view reflects reloads only the
 * extensions of the distributions the scope's events named since, and computes only the
 * seed files of the paths they touched and the preload documents of the libraries they
 * provided, provide, or were looked up for (the projection then owns only those and the
 * index); any other run (a restart, another instance ran last, a failed run, a full run,
 * builds changed without an event) reads the whole scope.
 */
@Component
class StoreProjection implements ProjectionSource {

	private final JdbcClient jdbc;

	private final ExtensionIndexes indexes;

	private final ProjectionStates states;

	/** Each target's view as of its last run on this instance, by target key. */
	private final Map<String, StoreIndexView> views = new ConcurrentHashMap<>();

	StoreProjection(JdbcClient jdbc, ExtensionIndexes indexes, ProjectionStates states) {
		this.jdbc = jdbc;
		this.indexes = indexes;
		this.states = states;
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
		long newest = this.jdbc.sql("select coalesce(max(id), 0) from event").query(Long.class).single();
		Optional<Long> since = full ? Optional.empty() : this.states.watermark(target.key());
		StoreIndexView view = this.views.remove(target.key());
		// the seed paths the change touched; null when the view was read whole
		Set<String> touched = null;
		// the libraries whose preload document the change may touch
		Set<String> libraries = new TreeSet<>();
		if (view != null && since.isPresent() && since.get() == view.watermark()) {
			touched = new TreeSet<>();
			Set<String> changed = new TreeSet<>(this.jdbc
				.sql("select distinct subject from event where id > ? and id <= ? and coalesce(tenant, '') = ? "
						+ "and type not like 'bundle\\_pin.%'")
				.params(since.get(), newest, Scopes.column(scope))
				.query(String.class)
				.list());
			if (!changed.isEmpty()) {
				reload(view, store, changed, touched, libraries);
			}
			// a build added or removed without an event (by hand, in SQL) leaves the view
			// with other builds than the catalog: then it is read whole
			if (!builds(store).equals(view.builds())) {
				touched = null;
			}
		}
		if (touched == null) {
			view = new StoreIndexView(major);
			reload(view, store, null, new TreeSet<>(), new TreeSet<>());
			libraries = new TreeSet<>(view.libraries());
		}
		// a run that fails does not record this watermark, so the next one reads the
		// whole catalog again
		view.watermark(newest);
		this.views.put(target.key(), view);
		Map<String, Projection.Desired> objects = new TreeMap<>();
		if (view.hasBuilds()) {
			for (String path : (touched != null) ? touched : view.paths()) {
				ExtFile file = view.file(path);
				if (file != null) {
					objects.put(StoreLayout.seedFile(scope, major, platform, path),
							new Projection.BlobCopy(file.sha256(), file.size(), Blobs.contentType(path)));
				}
			}
			objects.put(indexKey, ExtIndexDocument.generated(major, scope.tenant(), view.fragments()));
		}
		Set<String> keys = new HashSet<>();
		for (String library : libraries) {
			// a library no key can name has no document: a loader that preloads it reads
			// the whole index
			if (StoreLayout.isPreloadLibrary(library)) {
				String key = StoreLayout.preloadDocument(scope, major, platform, library);
				keys.add(key);
				byte[] document = view.preloadDocument(library, scope.tenant());
				if (document != null) {
					objects.put(key, new Projection.Generated(document, "application/json"));
				}
			}
		}
		String preloads = prefix + StoreLayout.PRELOAD;
		Predicate<String> signed = (key) -> key.startsWith(preloads) && key.endsWith(".json");
		if (touched == null) {
			return Optional.of(new Projection(prefix, objects, indexKey, (key) -> owned(prefix, key), newest, signed));
		}
		keys.add(indexKey);
		touched.forEach((path) -> keys.add(StoreLayout.seedFile(scope, major, platform, path)));
		return Optional.of(new Projection(prefix, objects, indexKey, keys::contains, newest, signed));
	}

	/**
	 * Reads again into {@code view} the extensions of {@code distributions} (every
	 * extension for {@code null}) and adds the seed paths they ship, before and after, to
	 * {@code touched}, and the libraries whose preload document they may change to
	 * {@code libraries}.
	 */
	private void reload(StoreIndexView view, ProjectionTarget.Store store, Set<String> distributions,
			Set<String> touched, Set<String> libraries) {
		List<Object> params = new ArrayList<>(
				List.of(Scopes.column(store.scope()), store.major().value(), store.platform().toString()));
		Set<String> names = new TreeSet<>();
		String where = "";
		if (distributions != null) {
			names.addAll(view.namesOf(distributions));
			where = " and (r.distribution = any(?) or e.name = any(?))";
			params.add(distributions.toArray(String[]::new));
			params.add(names.toArray(String[]::new));
		}
		record Builds(String distribution, long count, long newest) {
		}
		Map<String, Builds> builds = new TreeMap<>();
		this.jdbc
			.sql("select e.name, min(r.distribution), count(*), max(e.id) from release_extension e "
					+ "join release r on r.id = e.release_id where e.scope = ? and e.pg_major = ? and e.platform = ?"
					+ where + " group by e.name")
			.params(params)
			.query((rs) -> {
				builds.put(rs.getString(1), new Builds(rs.getString(2), rs.getLong(3), rs.getLong(4)));
			});
		names.addAll(builds.keySet());
		if (names.isEmpty()) {
			return;
		}
		Map<String, ExtIndexEntry> current = new HashMap<>();
		this.indexes.entries(store.scope(), store.major(), store.platform(), (distributions != null) ? names : null)
			.forEach((entry) -> current.put(entry.name().value(), entry));
		Map<String, StoreIndexView.Extension> extensions = new HashMap<>();
		builds.forEach((name, built) -> extensions.put(name,
				view.extension(built.distribution(), built.count(), built.newest(), current.get(name))));
		view.replace(names, extensions, touched, libraries);
	}

	/**
	 * How many builds the catalog holds for the target and the newest one's id, as
	 * {@code count/id}.
	 */
	private String builds(ProjectionTarget.Store store) {
		return this.jdbc
			.sql("select count(*) || '/' || coalesce(max(id), 0) from release_extension "
					+ "where scope = ? and pg_major = ? and platform = ?")
			.params(Scopes.column(store.scope()), store.major().value(), store.platform().toString())
			.query(String.class)
			.single();
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

	private static boolean owned(String prefix, String key) {
		if (!key.startsWith(prefix)) {
			return false;
		}
		String rest = key.substring(prefix.length());
		return rest.equals(StoreLayout.EXT_INDEX) || rest.startsWith("share/") || rest.startsWith("lib/")
				|| rest.startsWith(StoreLayout.PRELOAD);
	}

}
