package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.place.FilePlacement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node cache stays within its size by evicting the least recently used blobs, never
 * one its compute placed, and removes the part files of dead downloads but not live ones.
 */
class NodeCacheTests {

	@TempDir
	Path dir;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@Test
	void theLeastRecentlyUsedBlobIsEvictedFirst() throws IOException {
		NodeCache cache = new NodeCache(this.dir, 300, this.meters);
		Sha256Digest a = write(cache, "a", 100);
		Sha256Digest b = write(cache, "b", 100);
		Sha256Digest c = write(cache, "c", 100);
		cache.used(a);
		Sha256Digest d = write(cache, "d", 100);

		assertThat(Files.exists(cache.blob(b))).isFalse();
		assertThat(cache.contains(a)).isTrue();
		assertThat(cache.contains(c)).isTrue();
		assertThat(cache.contains(d)).isTrue();
		assertThat(this.meters.counter("pgext.loader.cache.evictions").count()).isEqualTo(1);
		assertThat(this.meters.get("pgext.loader.cache.bytes").gauge().value()).isEqualTo(300);
	}

	@Test
	void aPinnedBlobIsNeverEvictedEvenWhenItIsTheOldest() throws IOException {
		NodeCache cache = new NodeCache(this.dir, 200, this.meters);
		Sha256Digest placed = write(cache, "placed", 100);
		cache.pin(placed);
		Sha256Digest other = write(cache, "other", 100);
		write(cache, "newest", 100);

		assertThat(cache.contains(placed)).isTrue();
		assertThat(Files.exists(cache.blob(other))).isFalse();
		assertThat(cache.bytes()).isEqualTo(200);
	}

	@Test
	void aCacheOverItsSizeAtStartEvictsItsOldestBlobsByModificationTime() throws IOException {
		NodeCache first = new NodeCache(this.dir, 0, this.meters);
		Sha256Digest old = write(first, "old", 100);
		Sha256Digest recent = write(first, "recent", 100);
		Files.setLastModifiedTime(first.blob(old), FileTime.from(Instant.now().minusSeconds(3600)));

		NodeCache bounded = new NodeCache(this.dir, 150, new SimpleMeterRegistry());
		assertThat(Files.exists(bounded.blob(old))).isFalse();
		assertThat(bounded.contains(recent)).isTrue();
		assertThat(bounded.bytes()).isEqualTo(100);
	}

	@Test
	void partFilesOfDeadDownloadsAreRemovedAtStartAndThoseOfALiveOneStay() throws IOException {
		Path blobs = Files.createDirectories(this.dir.resolve("sha256"));
		Path dead = Files.writeString(blobs.resolve(".abc.999999999.1" + FilePlacement.PART_SUFFIX), "x");
		Path live = Files.writeString(
				blobs.resolve(".def." + ProcessHandle.current().pid() + ".2" + FilePlacement.PART_SUFFIX), "x");
		Path liveButStale = Files.writeString(
				blobs.resolve(".ghi." + ProcessHandle.current().pid() + ".3" + FilePlacement.PART_SUFFIX), "x");
		Files.setLastModifiedTime(liveButStale,
				FileTime.from(Instant.now().minus(NodeCache.STALE_PART).minusSeconds(5)));

		NodeCache cache = new NodeCache(this.dir, 0, this.meters);

		assertThat(dead).doesNotExist();
		assertThat(liveButStale).doesNotExist();
		assertThat(live).exists();
		assertThat(cache.bytes()).isZero();
	}

	@Test
	void aCacheOpensWhileAnotherLoaderDownloadsIntoIt() throws Exception {
		Path blobs = Files.createDirectories(this.dir.resolve("sha256"));
		long pid = ProcessHandle.current().pid();
		AtomicBoolean downloading = new AtomicBoolean(true);
		// another loader on the node: part files appear and, verified, become blobs
		CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> {
			int n = 0;
			while (downloading.get()) {
				// fifty blobs written again and again: the cache's directory stays small
				byte[] bytes = ("blob " + (n % 50)).getBytes(StandardCharsets.UTF_8);
				Path part = blobs.resolve(".blob" + n + "." + pid + "." + n + FilePlacement.PART_SUFFIX);
				try {
					Files.write(part, bytes);
					Files.move(part, blobs.resolve(Sha256Digest.of(bytes).hex()), StandardCopyOption.ATOMIC_MOVE,
							StandardCopyOption.REPLACE_EXISTING);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				n++;
			}
			return n;
		});

		// a part file renamed while a starting loader walks the cache once failed its
		// start
		try {
			for (int i = 0; i < 200; i++) {
				assertThat(new NodeCache(this.dir, Long.MAX_VALUE, new SimpleMeterRegistry()).bytes()).isNotNegative();
			}
		}
		finally {
			downloading.set(false);
		}
		assertThat(other.get()).isPositive();
		try (Stream<Path> left = Files.list(blobs)) {
			assertThat(left.map((file) -> file.getFileName().toString()))
				.noneMatch((name) -> name.endsWith(FilePlacement.PART_SUFFIX));
		}
	}

	@Test
	void partFilesAreRemovedFromNestedDirectoriesOfAnInstallation() throws IOException {
		Path nested = Files.createDirectories(this.dir.resolve("share/postgresql/extension/my_ext_scripts"));
		Path lib = Files.createDirectories(this.dir.resolve("lib/postgresql"));
		Path part1 = Files.writeString(nested.resolve(".my_ext--1.0.sql.1.1" + FilePlacement.PART_SUFFIX), "x");
		Path part2 = Files.writeString(lib.resolve(".my_ext.so.1.2" + FilePlacement.PART_SUFFIX), "x");
		Path kept = Files.writeString(nested.resolve("my_ext--1.0.sql"), "x");

		int removed = FilePlacement.removeLeftovers(this.dir.resolve("share"))
				+ FilePlacement.removeLeftovers(this.dir.resolve("lib"));

		assertThat(removed).isEqualTo(2);
		assertThat(part1).doesNotExist();
		assertThat(part2).doesNotExist();
		assertThat(kept).exists();
	}

	private static Sha256Digest write(NodeCache cache, String content, int size) throws IOException {
		byte[] bytes = (content + " ".repeat(size - content.length())).getBytes(StandardCharsets.UTF_8);
		Sha256Digest digest = Sha256Digest.of(bytes);
		Files.write(cache.blob(digest), bytes);
		cache.added(digest, bytes.length);
		return digest;
	}

}
