package dev.pgext.registry.mirror;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.registry.projection.Projection;
import dev.pgext.registry.projection.ProjectionSource;
import dev.pgext.registry.projection.ProjectionStates;
import dev.pgext.registry.projection.ProjectionTarget;

/**
 * The static mirror as a projection: every file {@link MirrorContent} builds, and the
 * PGXN distribution zips (copies of their blobs), and {@code snapshot.json} listing each
 * one's sha256, written last so that a mirror copying the snapshot's files finds each
 * with the digest it names. The target owns every key under {@code mirror/}; the
 * reconciler writes only the files whose content changed.
 * <p>
 * Every public change records an outbox event naming its distribution. A run after a
 * change builds only the files of the distributions named by the events since the last
 * run (their documents, the PGXN documents of their extensions, users and tags) and the
 * aggregates every change alters ({@code index.json}, the {@code ext_index.json} files,
 * the statistics), and lists the rest in the snapshot as the last run recorded them, so
 * its cost follows the change rather than the catalog. A full run (periodic, or
 * {@code POST /api/v1/admin/mirror/rebuild}) builds everything.
 */
@Component
class MirrorProjection implements ProjectionSource {

	private final MirrorContent content;

	private final MirrorProperties properties;

	private final ProjectionStates states;

	private final JdbcClient jdbc;

	MirrorProjection(MirrorContent content, MirrorProperties properties, ProjectionStates states, JdbcClient jdbc) {
		this.content = content;
		this.properties = properties;
		this.states = states;
		this.jdbc = jdbc;
	}

	@Override
	public boolean handles(ProjectionTarget target) {
		return target instanceof ProjectionTarget.Mirror;
	}

	@Override
	public Optional<Projection> project(ProjectionTarget target, boolean full) {
		if (!this.properties.enabled()) {
			return Optional.empty();
		}
		long newest = this.jdbc.sql("select coalesce(max(id), 0) from event").query(Long.class).single();
		Optional<Long> since = full ? Optional.empty() : this.states.watermark(target.key());
		String snapshotKey = StoreLayout.mirror(MirrorContent.SNAPSHOT);
		if (since.isEmpty()) {
			return Optional.of(project(null, Map.of(), newest));
		}
		// every public change but a bundle pin asks for the mirror, with its distribution
		// as the subject
		Set<String> changed = new TreeSet<>(this.jdbc
			.sql("select distinct subject from event where id > ? and id <= ? and tenant is null "
					+ "and type not like 'bundle\\_pin.%'")
			.params(since.get(), newest)
			.query(String.class)
			.list());
		if (changed.isEmpty()) {
			return Optional.of(new Projection(StoreLayout.MIRROR, Map.of(), snapshotKey, (key) -> false, newest));
		}
		return Optional.of(project(changed, this.states.objects(target.key()), newest));
	}

	/**
	 * The files of {@code changed} distributions (all for {@code null}); the snapshot
	 * lists the rest as {@code recorded}.
	 */
	private Projection project(Set<String> changed, Map<String, ProjectionStates.Stored> recorded, long newest) {
		MirrorContent.Part part = this.content.files(changed);
		Predicate<String> covers = part.covers();
		Map<String, Projection.Desired> objects = new TreeMap<>();
		Map<String, Object> listed = new TreeMap<>();
		String snapshotKey = StoreLayout.mirror(MirrorContent.SNAPSHOT);
		recorded.forEach((key, stored) -> {
			String path = key.substring(StoreLayout.MIRROR.length());
			if (!key.equals(snapshotKey) && !covers.test(path)) {
				listed.put(path, Map.of("sha256", stored.sha256(), "size", stored.size()));
			}
		});
		part.files().forEach((path, bytes) -> {
			objects.put(StoreLayout.mirror(path), new Projection.Generated(bytes,
					path.endsWith(".txt") ? "text/plain; charset=utf-8" : "application/json"));
			listed.put(path, Map.of("sha256", Sha256Digest.of(bytes).hex(), "size", bytes.length));
		});
		this.content.archives(changed).forEach((path, archive) -> {
			objects.put(StoreLayout.mirror(path),
					new Projection.BlobCopy(archive.sha256(), archive.size(), "application/zip"));
			listed.put(path, Map.of("sha256", archive.sha256().hex(), "size", archive.size()));
		});
		Map<String, Object> snapshot = new LinkedHashMap<>();
		snapshot.put("format", 1);
		snapshot.put("files", listed);
		objects.put(snapshotKey, new Projection.Generated(MirrorContent.json(snapshot), "application/json"));
		Predicate<String> owns = (key) -> key.startsWith(StoreLayout.MIRROR)
				&& (key.equals(snapshotKey) || covers.test(key.substring(StoreLayout.MIRROR.length())));
		return new Projection(StoreLayout.MIRROR, objects, snapshotKey, owns, newest);
	}

	@Override
	public List<ProjectionTarget> targets() {
		return List.of(new ProjectionTarget.Mirror());
	}

}
