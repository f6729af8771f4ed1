package dev.pgext.registry.mirror;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.stereotype.Component;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.registry.projection.Projection;
import dev.pgext.registry.projection.ProjectionSource;
import dev.pgext.registry.projection.ProjectionTarget;

/**
 * The static mirror as a projection: every file {@link MirrorContent} builds, and
 * the PGXN distribution zips (copies of their blobs), and
 * {@code snapshot.json} listing each one's sha256, written last so that a mirror copying the
 * snapshot's files finds each with the digest it names. The target owns every key under
 * {@code mirror/}; the reconciler writes only the files whose content changed.
 */
@Component
class MirrorProjection implements ProjectionSource {

	private final MirrorContent content;

	private final MirrorProperties properties;

	MirrorProjection(MirrorContent content, MirrorProperties properties) {
		this.content = content;
		this.properties = properties;
	}

	@Override
	public boolean handles(ProjectionTarget target) {
		return target instanceof ProjectionTarget.Mirror;
	}

	@Override
	public Optional<Projection> project(ProjectionTarget target) {
		if (!this.properties.enabled()) {
			return Optional.empty();
		}
		TreeMap<String, byte[]> files = this.content.files();
		Map<String, Projection.Desired> objects = new TreeMap<>();
		Map<String, Object> listed = new TreeMap<>();
		files.forEach((path, bytes) -> {
			objects.put(StoreLayout.mirror(path), new Projection.Generated(bytes,
					path.endsWith(".txt") ? "text/plain; charset=utf-8" : "application/json"));
			listed.put(path, Map.of("sha256", Sha256Digest.of(bytes).hex(), "size", bytes.length));
		});
		this.content.archives().forEach((path, archive) -> {
			objects.put(StoreLayout.mirror(path), new Projection.BlobCopy(archive.sha256(), "application/zip"));
			listed.put(path, Map.of("sha256", archive.sha256().hex(), "size", archive.size()));
		});
		Map<String, Object> snapshot = new LinkedHashMap<>();
		snapshot.put("format", 1);
		snapshot.put("files", listed);
		String snapshotKey = StoreLayout.mirror(MirrorContent.SNAPSHOT);
		objects.put(snapshotKey, new Projection.Generated(MirrorContent.json(snapshot), "application/json"));
		return Optional.of(new Projection(StoreLayout.MIRROR, objects, snapshotKey,
				(key) -> key.startsWith(StoreLayout.MIRROR)));
	}

	@Override
	public List<ProjectionTarget> targets() {
		return List.of(new ProjectionTarget.Mirror());
	}

}
