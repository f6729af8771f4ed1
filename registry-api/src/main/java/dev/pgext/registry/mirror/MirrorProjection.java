package dev.pgext.registry.mirror;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.StoreLayout;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.registry.projection.ExtIndexDocument;
import dev.pgext.registry.projection.Projection;
import dev.pgext.registry.projection.ProjectionSource;
import dev.pgext.registry.projection.ProjectionStates;
import dev.pgext.registry.projection.ProjectionTarget;

/**
 * The static mirror as a projection: every file {@link MirrorContent} builds, and the
 * PGXN distribution zips (copies of their blobs), and the snapshot listing each one's
 * sha256 ({@link SnapshotDocument}: parts, then {@code snapshot.json}, their root,
 * written last so that a mirror copying the snapshot's files finds each with the digest
 * it names). The target owns every key under {@code mirror/}; the reconciler writes only
 * the files whose content changed.
 * <p>
 * Every public change records an outbox event naming its distribution. A run after a
 * change builds only the files of the distributions named by the events since the last
 * run (their documents, the PGXN documents of their extensions, users and tags) and the
 * aggregates every change alters ({@code index.json}, the {@code ext_index.json} files,
 * the statistics), and rewrites only the snapshot parts whose files changed, so its cost
 * follows the change rather than the catalog. A full run (periodic, or
 * {@code POST /api/v1/admin/mirror/rebuild}) builds everything.
 */
@Component
class MirrorProjection implements ProjectionSource {

	private final MirrorContent content;

	private final MirrorProperties properties;

	private final ProjectionStates states;

	private final JdbcClient jdbc;

	private final SnapshotDocument snapshot = new SnapshotDocument();

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
			return Optional.of(project(null, Collections.emptySortedMap(), -1, newest));
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
			this.content.unchanged(since.get(), newest);
			if (this.snapshot.watermark() == since.get()) {
				this.snapshot.watermark(newest);
			}
			return Optional.of(new Projection(StoreLayout.MIRROR, Map.of(), snapshotKey, (key) -> false, newest));
		}
		return Optional.of(project(changed, this.states.objects(target.key()), since.get(), newest));
	}

	/**
	 * The files of {@code changed} distributions (all for {@code null}); the snapshot
	 * lists the rest as {@code recorded}.
	 */
	private Projection project(Set<String> changed, SortedMap<String, ProjectionStates.Stored> recorded, long since,
			long newest) {
		MirrorContent.Part part = this.content.files(changed, since, newest);
		Map<String, Projection.Desired> objects = new TreeMap<>();
		String snapshotKey = StoreLayout.mirror(MirrorContent.SNAPSHOT);
		TreeMap<String, ProjectionStates.Stored> fresh = new TreeMap<>();
		part.files().forEach((path, bytes) -> {
			// pg/<major>/ext_index.json has the bytes of the store's public index: hashed
			// once
			Projection.Generated generated = ExtIndexDocument.generated(bytes,
					path.endsWith(".txt") ? "text/plain; charset=utf-8" : "application/json");
			objects.put(StoreLayout.mirror(path), generated);
			fresh.put(path, new ProjectionStates.Stored(generated.sha256().hex(), bytes.length));
		});
		this.content.archives(changed).forEach((path, archive) -> {
			objects.put(StoreLayout.mirror(path),
					new Projection.BlobCopy(archive.sha256(), archive.size(), "application/zip"));
			fresh.put(path, new ProjectionStates.Stored(archive.sha256().hex(), archive.size()));
		});
		SnapshotDocument.Written snapshot;
		// the listing is the last run's when that run reflected the event this one
		// continues from and the records hold as many files (records changed by hand, or
		// by another instance, make it list every file again)
		boolean whole = changed == null || this.snapshot.watermark() != since
				|| this.snapshot.size() != listedCount(recorded);
		if (whole) {
			snapshot = this.snapshot.reset(listing(part, recorded, fresh));
		}
		else {
			// the listing is that of the last run: only what this run covers changes
			snapshot = this.snapshot.update(removed(part, recorded, fresh), fresh);
		}
		// a run that fails does not record this watermark, so the next one lists every
		// file again
		this.snapshot.watermark(newest);
		snapshot.parts().forEach((path, written) -> {
			if (written.content() != null) {
				objects.put(StoreLayout.mirror(path),
						new Projection.Generated(written.content(), "application/json", written.sha256()));
			}
		});
		objects.put(snapshotKey, new Projection.Generated(snapshot.root(), "application/json"));
		Set<String> parts = snapshot.parts().keySet();
		Predicate<String> owns = (key) -> {
			if (!key.startsWith(StoreLayout.MIRROR)) {
				return false;
			}
			String path = key.substring(StoreLayout.MIRROR.length());
			if (path.startsWith(SnapshotDocument.PART_DIRECTORY)) {
				return whole || parts.contains(path);
			}
			return key.equals(snapshotKey) || part.covers(path);
		};
		return new Projection(StoreLayout.MIRROR, objects, snapshotKey, owns, newest);
	}

	/**
	 * Every file of the mirror: those just built and the recorded ones this run did not
	 * cover, in path order.
	 */
	private static List<Map.Entry<String, ProjectionStates.Stored>> listing(MirrorContent.Part part,
			SortedMap<String, ProjectionStates.Stored> recorded, TreeMap<String, ProjectionStates.Stored> fresh) {
		// the records are in key order, so their paths are in path order too: merged
		// with the files just built, the listing needs no sorting of the whole mirror
		List<Map.Entry<String, ProjectionStates.Stored>> listed = new ArrayList<>(recorded.size() + fresh.size());
		Iterator<Map.Entry<String, ProjectionStates.Stored>> built = fresh.entrySet().iterator();
		Map.Entry<String, ProjectionStates.Stored> next = built.hasNext() ? built.next() : null;
		for (Map.Entry<String, ProjectionStates.Stored> record : recorded.entrySet()) {
			String key = record.getKey();
			if (!key.startsWith(StoreLayout.MIRROR) || notListed(key)) {
				continue;
			}
			String path = key.substring(StoreLayout.MIRROR.length());
			if (part.covers(path) || fresh.containsKey(path)) {
				continue;
			}
			while (next != null && next.getKey().compareTo(path) < 0) {
				listed.add(next);
				next = built.hasNext() ? built.next() : null;
			}
			listed.add(Map.entry(path, record.getValue()));
		}
		while (next != null) {
			listed.add(next);
			next = built.hasNext() ? built.next() : null;
		}
		return listed;
	}

	/**
	 * The recorded files this run covers but did not build, found from the paths and
	 * prefixes it covers rather than by walking every record.
	 */
	private static Set<String> removed(MirrorContent.Part part, SortedMap<String, ProjectionStates.Stored> recorded,
			Map<String, ProjectionStates.Stored> fresh) {
		Set<String> removed = new TreeSet<>();
		for (String path : part.paths()) {
			if (!fresh.containsKey(path) && recorded.containsKey(StoreLayout.mirror(path))) {
				removed.add(path);
			}
		}
		for (String prefix : part.prefixes()) {
			String from = StoreLayout.MIRROR + prefix;
			for (String key : recorded.subMap(from, from + Character.MAX_VALUE).keySet()) {
				String path = key.substring(StoreLayout.MIRROR.length());
				if (!fresh.containsKey(path)) {
					removed.add(path);
				}
			}
		}
		return removed;
	}

	/** How many of the recorded keys the snapshot lists. */
	private static int listedCount(SortedMap<String, ProjectionStates.Stored> recorded) {
		String root = StoreLayout.mirror(MirrorContent.SNAPSHOT);
		String parts = StoreLayout.MIRROR + SnapshotDocument.PART_DIRECTORY;
		int notListed = recorded.subMap(parts, parts + Character.MAX_VALUE).size();
		notListed += recorded.containsKey(root) ? 1 : 0;
		notListed += recorded.containsKey(root + MetadataSignature.SUFFIX) ? 1 : 0;
		return recorded.size() - notListed;
	}

	/** Whether a recorded key is the snapshot itself (root, parts or signature). */
	private static boolean notListed(String key) {
		String path = key.substring(StoreLayout.MIRROR.length());
		return path.equals(MirrorContent.SNAPSHOT) || path.equals(MirrorContent.SNAPSHOT + MetadataSignature.SUFFIX)
				|| path.startsWith(SnapshotDocument.PART_DIRECTORY);
	}

	@Override
	public List<ProjectionTarget> targets() {
		return List.of(new ProjectionTarget.Mirror());
	}

}
