package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.place.FilePlacement;

/**
 * The node-local content-addressed cache, {@code
 *
<dir>
 * /sha256/<hex>}, bounded in size: when the blobs add up to more than the maximum, the
 * least recently used are deleted first, except the ones pinned because a compute of this
 * loader placed (or is placing) them. Recency is the file's modification time, refreshed
 * on every hit, so that it survives a restart and is shared by the loaders of one node.
 * <p>
 * Each loader accounts for the blobs present when it started and those it adds itself;
 * blobs another loader adds meanwhile are counted from its next start. Deleting a blob
 * another loader is copying is harmless (an open file stays readable), and one that is
 * gone before it is opened is downloaded again. Part files of downloads into the cache
 * that died are removed at start and whenever the cache evicts: those whose writer (the
 * pid in their name) is no longer alive, and those untouched for {@link #STALE_PART}
 * whatever their pid says (a loader in another pid namespace, a reused pid). A part
 * removed under a live writer in another pid namespace costs that writer one retry of its
 * download.
 */
public final class NodeCache {

	/**
	 * How long a part file in the cache must be untouched before it counts as a dead
	 * download's.
	 */
	static final Duration STALE_PART = Duration.ofMinutes(1);

	private static final Logger log = LoggerFactory.getLogger(NodeCache.class);

	private final Path dir;

	private final long maxBytes;

	/** Hex digest to size, least recently used first. */
	private final LinkedHashMap<String, Long> blobs = new LinkedHashMap<>(64, 0.75f, true);

	private final Set<String> pinned = new HashSet<>();

	private final Counter evictions;

	private long bytes;

	/**
	 * Whether the last eviction could not get under the maximum (warned once until it can
	 * again).
	 */
	private boolean overWarned;

	/**
	 * A cache in {@code dir} holding at most {@code maxBytes} (0 or less: unbounded).
	 */
	public NodeCache(Path dir, long maxBytes, MeterRegistry meters) {
		this.dir = dir;
		this.maxBytes = maxBytes;
		this.evictions = Counter.builder("pgext.loader.cache.evictions")
			.description("Blobs evicted from the node-local cache to keep it within its size")
			.register(meters);
		Gauge.builder("pgext.loader.cache.bytes", this, NodeCache::bytes)
			.description("Bytes of the blobs in the node-local cache")
			.baseUnit("bytes")
			.register(meters);
		try {
			Files.createDirectories(blobDir());
			removeStaleParts();
			scan();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot open the node cache " + dir + ": " + ex.getMessage(), ex);
		}
		synchronized (this) {
			evict();
		}
	}

	/** Where the blob of {@code digest} is kept. */
	public Path blob(Sha256Digest digest) {
		return blobDir().resolve(digest.hex());
	}

	/**
	 * Keeps {@code digest} from eviction for as long as this loader runs: its compute has
	 * or needs it.
	 */
	public synchronized void pin(Sha256Digest digest) {
		this.pinned.add(digest.hex());
	}

	/** Marks a blob as just used. */
	public synchronized void used(Sha256Digest digest) {
		if (this.blobs.get(digest.hex()) != null) {
			touch(blob(digest));
		}
	}

	/** Counts a blob just written into the cache, and evicts what no longer fits. */
	public synchronized void added(Sha256Digest digest, long size) {
		Long previous = this.blobs.put(digest.hex(), size);
		this.bytes += size - ((previous != null) ? previous : 0);
		evict();
	}

	/** Forgets a blob that was deleted (found damaged). */
	public synchronized void removed(Sha256Digest digest) {
		Long size = this.blobs.remove(digest.hex());
		if (size != null) {
			this.bytes -= size;
		}
	}

	/** Bytes of the blobs this loader knows of. */
	public synchronized long bytes() {
		return this.bytes;
	}

	/** Whether {@code digest} is kept now, as far as this loader knows. */
	public synchronized boolean contains(Sha256Digest digest) {
		return this.blobs.containsKey(digest.hex()) && Files.isRegularFile(blob(digest));
	}

	private void evict() {
		if (this.maxBytes <= 0 || this.bytes <= this.maxBytes) {
			this.overWarned = false;
			return;
		}
		Iterator<Map.Entry<String, Long>> oldestFirst = this.blobs.entrySet().iterator();
		while (this.bytes > this.maxBytes && oldestFirst.hasNext()) {
			Map.Entry<String, Long> blob = oldestFirst.next();
			if (this.pinned.contains(blob.getKey())) {
				continue;
			}
			try {
				Files.deleteIfExists(blobDir().resolve(blob.getKey()));
			}
			catch (IOException ex) {
				log.warn("Cannot evict {} from the node cache: {}", blob.getKey(), ex.getMessage());
				continue;
			}
			oldestFirst.remove();
			this.bytes -= blob.getValue();
			this.evictions.increment();
		}
		boolean over = this.bytes > this.maxBytes;
		if (over && !this.overWarned) {
			log.warn("The node cache holds {} bytes, over its {} bytes, all of them pinned by this compute", this.bytes,
					this.maxBytes);
		}
		this.overWarned = over;
		try {
			removeStaleParts();
		}
		catch (IOException ex) {
			log.warn("Cannot clean part files in the node cache: {}", ex.getMessage());
		}
	}

	private void scan() throws IOException {
		record Found(String hex, long size, FileTime used) {
		}
		List<Found> found = new ArrayList<>();
		try (Stream<Path> files = Files.list(blobDir())) {
			for (Path file : files.toList()) {
				String name = file.getFileName().toString();
				if (name.endsWith(FilePlacement.PART_SUFFIX)) {
					continue;
				}
				try {
					BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
					if (attributes.isRegularFile()) {
						found.add(new Found(name, attributes.size(), attributes.lastModifiedTime()));
					}
				}
				catch (NoSuchFileException ex) {
					// evicted by another loader meanwhile
				}
			}
		}
		found.sort(Comparator.comparing(Found::used));
		synchronized (this) {
			for (Found blob : found) {
				this.blobs.put(blob.hex(), blob.size());
				this.bytes += blob.size();
			}
		}
	}

	private void removeStaleParts() throws IOException {
		Instant staleBefore = Instant.now().minus(STALE_PART);
		int removed = FilePlacement.removeLeftovers(this.dir, (part) -> {
			if (FilePlacement.writerOf(part).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).isEmpty()) {
				return true;
			}
			try {
				return Files.getLastModifiedTime(part).toInstant().isBefore(staleBefore);
			}
			catch (IOException ex) {
				return false;
			}
		});
		if (removed > 0) {
			log.info("Removed {} part files of dead downloads from the node cache", removed);
		}
	}

	private static void touch(Path file) {
		try {
			Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
		}
		catch (IOException ex) {
			// evicted by another loader: the next placement downloads it again
		}
	}

	private Path blobDir() {
		return this.dir.resolve("sha256");
	}

}
