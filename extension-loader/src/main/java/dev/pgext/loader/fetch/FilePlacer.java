package dev.pgext.loader.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.github.resilience4j.retry.Retry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.model.store.Backoff;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtFile;

/**
 * Puts one file of an index into place so that Postgres only ever sees complete, verified
 * content: the bytes stream into a temporary file in the target's own directory while their
 * digest is computed, the file is fsynced, its size and digest are checked against the index,
 * and only then is it renamed over the target (and the directory fsynced). A wrong digest
 * leaves nothing behind. Nothing is held in memory beyond one buffer.
 * <p>
 * With a {@link NodeCache}, verified content is also kept by digest
 * ({@code <cache>/sha256/<hex>}) and later placements copy from there, so computes on one
 * node download each blob once; every blob this placer places is pinned in that cache.
 */
public final class FilePlacer {

	/** Suffix of files being written; a loader that starts removes any it finds (a previous run died). */
	public static final String PART_SUFFIX = ".pgext-part";

	private static final Logger log = LoggerFactory.getLogger(FilePlacer.class);

	private static final int BUFFER = 64 * 1024;

	private static final long PID = ProcessHandle.current().pid();

	private static final java.util.concurrent.atomic.AtomicLong PARTS = new java.util.concurrent.atomic.AtomicLong();

	private final ExtensionSource source;

	private final NodeCache cache;

	private final BandwidthLimiter limiter;

	private final Retry retry;

	private final MeterRegistry meters;

	/** A placer with an unbounded cache in {@code cacheDir}, or none when it is {@code null}. */
	public FilePlacer(ExtensionSource source, Path cacheDir, BandwidthLimiter limiter, Retry retry,
			MeterRegistry meters) {
		this((cacheDir != null) ? new NodeCache(cacheDir, 0, meters) : null, source, limiter, retry, meters);
	}

	/** A placer that keeps what it downloads in {@code cache}, or in no cache when it is {@code null}. */
	public static FilePlacer cached(ExtensionSource source, NodeCache cache, BandwidthLimiter limiter, Retry retry,
			MeterRegistry meters) {
		return new FilePlacer(cache, source, limiter, retry, meters);
	}

	private FilePlacer(NodeCache cache, ExtensionSource source, BandwidthLimiter limiter, Retry retry,
			MeterRegistry meters) {
		this.source = source;
		this.cache = cache;
		this.limiter = limiter;
		this.retry = retry;
		this.meters = meters;
		// registered up front, so that dashboards and alerts see zero instead of no data
		Counter.builder("pgext.loader.cache.hits").description("Files placed from the node-local cache").register(meters);
		for (FetchException.Reason reason : FetchException.Reason.values()) {
			failures(reason);
		}
	}

	private Counter failures(FetchException.Reason reason) {
		return Counter.builder("pgext.loader.download.failures")
			.description("Files whose placement failed, by reason")
			.tag("reason", reason.tag())
			.register(this.meters);
	}

	private Counter downloadedBytes(String source) {
		return Counter.builder("pgext.loader.download.bytes")
			.description("Bytes downloaded from the extension store, before verification")
			.baseUnit("bytes")
			.tag("source", source)
			.register(this.meters);
	}

	private Counter downloadedFiles(String source) {
		return Counter.builder("pgext.loader.download.files")
			.description("Files downloaded, verified and placed")
			.tag("source", source)
			.register(this.meters);
	}

	/** Retries network errors and 5xx answers with exponential backoff and jitter, never a wrong digest. */
	public static Retry retry(int attempts, Duration initialBackoff) {
		return Backoff.retry("file-download", attempts, initialBackoff,
				(ex) -> ex instanceof IOException || ex instanceof UncheckedIOException);
	}

	/** How a file got into place. */
	public enum Outcome {

		/** The target already had the right content. */
		PRESENT,

		/** Copied from the node-local cache. */
		CACHED,

		/** Downloaded from the source. */
		DOWNLOADED

	}

	/**
	 * Places {@code file} at {@code target}.
	 * @param throttled asked before each chunk: whether the background bandwidth limit applies now
	 * (a download that a JIT request is waiting for is promoted and stops being throttled)
	 * @throws FetchException when the content cannot be had or is wrong; the target is then untouched
	 */
	public Outcome place(ExtFile file, Path target, BooleanSupplier throttled) {
		Outcome outcome = placeUnsynced(file, target, throttled);
		if (outcome != Outcome.PRESENT) {
			syncOrFail(target.getParent());
		}
		return outcome;
	}

	/**
	 * Places several files, such as all files of one extension, and makes their renames durable
	 * with one fsync per directory instead of one per file.
	 */
	public void placeAll(List<ExtFile> files, Function<String, Path> resolve, BooleanSupplier throttled) {
		Set<Path> directories = new LinkedHashSet<>();
		for (ExtFile file : files) {
			Path target = resolve.apply(file.path());
			if (placeUnsynced(file, target, throttled) != Outcome.PRESENT) {
				directories.add(target.getParent());
			}
		}
		directories.forEach(this::syncOrFail);
	}

	/**
	 * As {@link #placeAll(List, Function, BooleanSupplier)}, the files placed side by side on
	 * {@code parallel}: a preload or JIT request waits for its slowest file, not for the sum of
	 * them (each file pays a GET and an fsync). Every file is waited for before a failure is
	 * reported, so none is still being written when the caller hears of it.
	 */
	public void placeAll(List<ExtFile> files, Function<String, Path> resolve, BooleanSupplier throttled,
			ExecutorService parallel) {
		if (files.size() < 2) {
			placeAll(files, resolve, throttled);
			return;
		}
		List<Future<Path>> placed = new ArrayList<>();
		for (ExtFile file : files) {
			Path target = resolve.apply(file.path());
			placed.add(parallel.submit(
					() -> (placeUnsynced(file, target, throttled) != Outcome.PRESENT) ? target.getParent() : null));
		}
		Set<Path> directories = new LinkedHashSet<>();
		RuntimeException failure = null;
		for (Future<Path> future : placed) {
			try {
				Path directory = future.get();
				if (directory != null) {
					directories.add(directory);
				}
			}
			catch (ExecutionException ex) {
				if (failure == null) {
					failure = (ex.getCause() instanceof RuntimeException runtime) ? runtime
							: new FetchException(FetchException.Reason.LOCAL_IO, String.valueOf(ex.getCause()),
									ex.getCause());
				}
			}
			catch (InterruptedException ex) {
				placed.forEach((other) -> other.cancel(true));
				Thread.currentThread().interrupt();
				throw new FetchException(FetchException.Reason.LOCAL_IO, "interrupted while placing files", ex);
			}
		}
		if (failure != null) {
			throw failure;
		}
		directories.forEach(this::syncOrFail);
	}

	private void syncOrFail(Path directory) {
		try {
			syncDirectory(directory);
		}
		catch (IOException ex) {
			throw fail(new FetchException(FetchException.Reason.LOCAL_IO,
					"cannot fsync " + directory + ": " + ex.getMessage(), ex));
		}
	}

	private Outcome placeUnsynced(ExtFile file, Path target, BooleanSupplier throttled) {
		if (this.cache != null) {
			this.cache.pin(file.sha256());
		}
		try {
			if (hasContent(target, file)) {
				return Outcome.PRESENT;
			}
			Files.createDirectories(target.getParent());
		}
		catch (IOException ex) {
			throw fail(new FetchException(FetchException.Reason.LOCAL_IO,
					"cannot inspect " + target + ": " + ex.getMessage(), ex));
		}
		try {
			if (this.cache == null) {
				download(file, target, throttled);
				return Outcome.DOWNLOADED;
			}
			Path cached = this.cache.blob(file.sha256());
			if (Files.isRegularFile(cached)) {
				try {
					copyVerified(cached, file, target);
					this.cache.used(file.sha256());
					count("pgext.loader.cache.hits", "Files placed from the node-local cache");
					return Outcome.CACHED;
				}
				catch (NoSuchFileException ex) {
					log.debug("Cached {} was evicted before it could be copied; downloading it", cached);
				}
				catch (FetchException ex) {
					log.warn("Cached {} is damaged ({}); downloading it again", cached, ex.getMessage());
					Files.deleteIfExists(cached);
					this.cache.removed(file.sha256());
				}
			}
			Files.createDirectories(cached.getParent());
			download(file, cached, throttled);
			this.cache.added(file.sha256(), file.size());
			copyVerified(cached, file, target);
			return Outcome.DOWNLOADED;
		}
		catch (FetchException ex) {
			throw fail(ex);
		}
		catch (IOException ex) {
			throw fail(new FetchException(FetchException.Reason.LOCAL_IO,
					"placing " + file.path() + " failed: " + ex.getMessage(), ex));
		}
	}

	private FetchException fail(FetchException ex) {
		failures(ex.reason()).increment();
		return ex;
	}

	private void download(ExtFile file, Path target, BooleanSupplier throttled) {
		try {
			Retry.decorateCheckedSupplier(this.retry, () -> {
				try (InputStream in = this.source.open(file.sha256())) {
					receive(in, file, target, throttled, this.source.name());
				}
				return null;
			}).get();
		}
		catch (FetchException ex) {
			throw ex;
		}
		catch (Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new FetchException(FetchException.Reason.UNAVAILABLE,
					"downloading " + file.path() + " (" + file.sha256() + ") failed: " + ex.getMessage(), ex);
		}
	}

	private void copyVerified(Path from, ExtFile file, Path target) throws IOException {
		try (InputStream in = Files.newInputStream(from)) {
			receive(in, file, target, () -> false, null);
		}
	}

	/**
	 * Streams {@code in} into a temporary file next to {@code target}, verifies it and renames it
	 * into place; on any failure the temporary file is removed and the target is untouched.
	 */
	private void receive(InputStream in, ExtFile file, Path target, BooleanSupplier throttled, String source)
			throws IOException {
		Path part = newPart(target);
		try {
			MessageDigest digest = Sha256Digest.newDigest();
			long total = 0;
			try (FileChannel out = FileChannel.open(part, StandardOpenOption.WRITE)) {
				byte[] buffer = new byte[BUFFER];
				while (true) {
					boolean limit = this.limiter != null && throttled.getAsBoolean();
					int n = in.read(buffer, 0, limit ? this.limiter.maxChunk() : buffer.length);
					if (n < 0) {
						break;
					}
					if (limit) {
						this.limiter.acquire(n);
					}
					total += n;
					if (total > file.size()) {
						throw new FetchException(FetchException.Reason.DIGEST_MISMATCH,
								file.path() + " (" + file.sha256() + ") is larger than the " + file.size()
										+ " bytes the index says; refused");
					}
					digest.update(buffer, 0, n);
					ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
					while (chunk.hasRemaining()) {
						out.write(chunk);
					}
					if (source != null) {
						downloadedBytes(source).increment(n);
					}
				}
				out.force(true);
			}
			Sha256Digest actual = Sha256Digest.fromDigest(digest);
			if (total != file.size() || !actual.equals(file.sha256())) {
				throw new FetchException(FetchException.Reason.DIGEST_MISMATCH,
						file.path() + ": content has sha256 " + actual + " and " + total + " bytes, the index says "
								+ file.sha256() + " and " + file.size() + " bytes; refused");
			}
			Files.setPosixFilePermissions(part,
					PosixFilePermissions.fromString(file.isLibrary() ? "rwxr-xr-x" : "rw-r--r--"));
			// the directory is fsynced by the caller: once per extension; a cache entry lost in a
			// crash is only a cache miss
			rename(part, target);
			if (source != null) {
				downloadedFiles(source).increment();
			}
		}
		finally {
			Files.deleteIfExists(part);
		}
	}

	/**
	 * Writes small content (a control file from the index) through a temporary file and a
	 * rename, so a reader never sees it half-written. Content already there is left alone.
	 * @param durable whether to fsync the file and its directory; content that is rewritten from
	 * the index before every start (control files) needs no fsync, since a crash only means it is
	 * compared and rewritten at the next start, before Postgres runs
	 */
	public static void writeAtomically(Path target, byte[] content, boolean durable) throws IOException {
		if (Files.isRegularFile(target) && Files.size(target) == content.length
				&& java.util.Arrays.equals(Files.readAllBytes(target), content)) {
			return;
		}
		Files.createDirectories(target.getParent());
		Path part = newPart(target);
		try {
			try (FileChannel out = FileChannel.open(part, StandardOpenOption.WRITE)) {
				ByteBuffer buffer = ByteBuffer.wrap(content);
				while (buffer.hasRemaining()) {
					out.write(buffer);
				}
				if (durable) {
					out.force(true);
				}
			}
			Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
			rename(part, target);
			if (durable) {
				syncDirectory(target.getParent());
			}
		}
		finally {
			Files.deleteIfExists(part);
		}
	}

	/**
	 * Removes the {@value #PART_SUFFIX} files a killed loader left anywhere under {@code dir}
	 * (nested directories included, links not followed); returns how many.
	 */
	public static int removeLeftovers(Path dir) throws IOException {
		return removeLeftovers(dir, (part) -> true);
	}

	/** Removes the {@value #PART_SUFFIX} files under {@code dir} that {@code which} accepts; returns how many. */
	public static int removeLeftovers(Path dir, Predicate<Path> which) throws IOException {
		if (!Files.isDirectory(dir)) {
			return 0;
		}
		List<Path> parts;
		try (Stream<Path> files = Files.walk(dir)) {
			parts = files.filter((p) -> p.getFileName().toString().endsWith(PART_SUFFIX))
				.filter((p) -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
				.filter(which)
				.toList();
		}
		int removed = 0;
		for (Path part : parts) {
			if (Files.deleteIfExists(part)) {
				removed++;
			}
		}
		return removed;
	}

	/** The pid of the process that wrote part file {@code part} ({@code .<name>.<pid>.<n>.pgext-part}), if it says. */
	static Optional<Long> writerOf(Path part) {
		String name = part.getFileName().toString();
		if (!name.endsWith(PART_SUFFIX)) {
			return Optional.empty();
		}
		String[] fields = name.substring(0, name.length() - PART_SUFFIX.length()).split("\\.");
		try {
			return (fields.length >= 3) ? Optional.of(Long.parseLong(fields[fields.length - 2])) : Optional.empty();
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
	}

	/** Whether {@code target} already holds exactly {@code file}'s content. */
	public static boolean hasContent(Path target, ExtFile file) throws IOException {
		return Files.isRegularFile(target) && Files.size(target) == file.size()
				&& Sha256Digest.of(target).equals(file.sha256());
	}

	/**
	 * A new, empty temporary file next to {@code target}, named after it, this process and a
	 * counter: unique without the cost of random names, and recognisable as a leftover.
	 */
	private static Path newPart(Path target) throws IOException {
		Path part = target.resolveSibling("." + target.getFileName() + "." + PID + "." + PARTS.incrementAndGet()
				+ PART_SUFFIX);
		Files.newByteChannel(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
		return part;
	}

	private static void rename(Path part, Path target) throws IOException {
		try {
			Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException ex) {
			throw new IOException("cannot rename atomically into " + target.getParent(), ex);
		}
	}

	/** Makes the renames in {@code dir} durable. */
	public static void syncDirectory(Path dir) throws IOException {
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
	}

	private void count(String name, String description) {
		Counter.builder(name).description(description).register(this.meters).increment();
	}

}
