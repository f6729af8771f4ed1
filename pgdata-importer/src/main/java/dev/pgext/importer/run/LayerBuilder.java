package dev.pgext.importer.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.importer.keyspace.Key;
import dev.pgext.importer.layer.ImageLayerFormat;
import dev.pgext.importer.layer.ImageLayerWriter;
import dev.pgext.importer.pgdata.PageVerifier;
import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.importer.pgdata.RelMapFile;
import dev.pgext.importer.plan.ImportPlan;
import dev.pgext.importer.plan.Job;
import dev.pgext.importer.plan.Task;
import dev.pgext.importer.run.IndexPart.FinishedJob;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.store.ObjectInfo;

/**
 * Turns one job of a plan into its layer in the storage bucket: reads the input ranges
 * (the next one ahead while the current one is verified and written), verifies the pages
 * and the files' checksums, writes the layer file, uploads it and deletes the local copy;
 * and checks that a layer written before is still what was recorded.
 */
final class LayerBuilder {

	private static final Logger log = LoggerFactory.getLogger(LayerBuilder.class);

	private static final int PAGE = PgControl.BLOCK_SIZE;

	private final ImportContext context;

	private final ImportId id;

	private final ImportPlan plan;

	private final InputReader reader;

	private final FileVerification files;

	private final PageVerifier verifier;

	private final int compressionLevel;

	private final BooleanSupplier stopped;

	LayerBuilder(ImportContext context, ImportId id, ImportPlan plan, InputReader reader, FileVerification files,
			int compressionLevel, BooleanSupplier stopped) {
		this.context = context;
		this.id = id;
		this.plan = plan;
		this.reader = reader;
		this.files = files;
		this.verifier = new PageVerifier(plan.control().checkpointLsn(), plan.control().dataChecksums());
		this.compressionLevel = compressionLevel;
		this.stopped = stopped;
	}

	/**
	 * A layer file written to the work directory, not yet uploaded.
	 *
	 * @param job the job
	 * @param file the local file
	 * @param name the layer's name
	 * @param sha256 digest of the file
	 * @param size size of the file
	 */
	record Written(Job job, Path file, String name, String sha256, long size) {

	}

	/**
	 * Reads, verifies and writes the layer of {@code job} to the work directory; the
	 * caller uploads it ({@link #upload}) and then discards the local file
	 * ({@link #discard}).
	 */
	Written write(Job job) throws IOException, InterruptedException {
		long lsn = this.plan.control().checkpointLsn();
		String name = ImageLayerFormat.name(job.start(), job.end(), lsn);
		Files.createDirectories(this.context.workDir());
		Path file = this.context.workDir()
			.resolve(this.id.tenantId() + "-" + this.id.shard().slug() + "-" + this.id.timelineId() + "-" + job.id()
					+ ".layer");
		boolean written = false;
		try {
			long size;
			String digest;
			Map<String, FileVerification.Reading> readings = new HashMap<>();
			try (ImageLayerWriter writer = new ImageLayerWriter(file, job.start(), job.end(), lsn,
					this.compressionLevel)) {
				for (Task task : job.tasks()) {
					checkStopped();
					writeTask(writer, task, readings);
				}
				size = writer.finish();
				digest = writer.sha256();
			}
			for (FileVerification.Reading reading : readings.values()) {
				if (!reading.complete()) {
					throw new IllegalStateException(
							"'" + reading.path() + "' was read only in part by job " + job.id());
				}
			}
			written = true;
			return new Written(job, file, name, digest, size);
		}
		finally {
			if (!written) {
				Files.deleteIfExists(file);
			}
		}
	}

	/** Uploads a written layer to the storage bucket; returns what to record about it. */
	FinishedJob upload(Written layer) {
		this.context.storage().put(ImportLayout.layer(this.id, layer.name()), layer.file(), "application/octet-stream");
		return new FinishedJob(layer.job().id(), layer.name(), layer.sha256(), layer.size(), layer.job().bytes());
	}

	/** Deletes the local file of a layer, uploaded or not. */
	void discard(Written layer) {
		try {
			Files.deleteIfExists(layer.file());
		}
		catch (IOException ex) {
			log.warn("Could not delete {}: {}", layer.file(), ex.toString());
		}
	}

	private void writeTask(ImageLayerWriter writer, Task task, Map<String, FileVerification.Reading> readings)
			throws IOException, InterruptedException {
		if (task instanceof Task.Value value) {
			writer.put(value.key(), value.value());
		}
		else if (task instanceof Task.FileValue file) {
			byte[] bytes = this.reader.readWhole(file.file());
			RelMapFile.verify(file.path(), bytes, this.plan.control().pgMajor());
			this.files.verifyWhole(file.path(), bytes);
			writer.put(file.key(), bytes);
		}
		else {
			Task.Blocks blocks = (Task.Blocks) task;
			FileVerification.Reading reading = readings.computeIfAbsent(blocks.path(),
					(p) -> this.files.start(p, blocks.file().size(), blocks.relation()));
			writeBlocks(writer, blocks, reading);
		}
	}

	/**
	 * Reads a block run range by range and writes its pages. While one range is verified
	 * and written, the next one is already being read, when the memory budget has room
	 * for it.
	 */
	private void writeBlocks(ImageLayerWriter writer, Task.Blocks blocks, FileVerification.Reading reading)
			throws IOException, InterruptedException {
		int rangeBlocks = this.context.maxRangeBlocks();
		int ranges = (blocks.count() + rangeBlocks - 1) / rangeBlocks;
		Prefetch pending = null;
		try {
			for (int r = 0; r < ranges; r++) {
				checkStopped();
				int done = r * rangeBlocks;
				int n = Math.min(rangeBlocks, blocks.count() - done);
				long position = (blocks.fileBlock() + done) * PAGE;
				Prefetch current = (pending != null) ? pending : read(blocks, done, n);
				pending = null;
				try (current) {
					byte[] pages = current.await();
					if (r + 1 < ranges) {
						pending = prefetch(blocks, done + rangeBlocks,
								Math.min(rangeBlocks, blocks.count() - done - rangeBlocks));
					}
					if (reading != null) {
						reading.update(position, pages, 0, n * PAGE);
					}
					Key key = blocks.firstKey().plusBlocks(done);
					for (int i = 0; i < n; i++) {
						if (blocks.relation()) {
							long forkBlock = blocks.forkBlock() + done + i;
							this.verifier.verify(pages, i * PAGE, forkBlock,
									"'" + blocks.path() + "' block " + (blocks.fileBlock() + done + i));
						}
						writer.put(key.plusBlocks(i), pages, i * PAGE, PAGE);
					}
					this.context.bytesImported().increment(n * PAGE);
				}
			}
		}
		finally {
			if (pending != null) {
				pending.close();
			}
		}
	}

	/**
	 * Reads {@code n} blocks from block {@code offset} of the run now, waiting for the
	 * budget.
	 */
	private Prefetch read(Task.Blocks blocks, int offset, int n) throws InterruptedException {
		int bytes = n * PAGE;
		MemoryBudget.Reservation share = this.context.memory().reserve(bytes);
		try {
			byte[] pages = this.reader.read(blocks.file(), (blocks.fileBlock() + offset) * PAGE, bytes, share.buffer());
			return new Prefetch(share, java.util.concurrent.CompletableFuture.completedFuture(pages));
		}
		catch (RuntimeException ex) {
			share.close();
			throw ex;
		}
	}

	/**
	 * Starts reading {@code n} blocks from {@code offset} in the background, or returns
	 * null when memory is short.
	 */
	private Prefetch prefetch(Task.Blocks blocks, int offset, int n) {
		int bytes = n * PAGE;
		long position = (blocks.fileBlock() + offset) * PAGE;
		return this.context.memory()
			.tryReserve(bytes)
			.map((share) -> new Prefetch(share,
					this.context.prefetcher()
						.submit(() -> this.reader.read(blocks.file(), position, bytes, share.buffer()))))
			.orElse(null);
	}

	private void checkStopped() {
		if (this.stopped.getAsBoolean() || Thread.currentThread().isInterrupted()) {
			throw new ImportStoppedException("stopped");
		}
	}

	/**
	 * A range read now or being read ahead, holding its share of the memory budget until
	 * closed.
	 *
	 * @param share the share
	 * @param read the read
	 */
	private record Prefetch(MemoryBudget.Reservation share, Future<byte[]> read) implements AutoCloseable {

		byte[] await() throws InterruptedException {
			try {
				return this.read.get();
			}
			catch (ExecutionException ex) {
				if (ex.getCause() instanceof RuntimeException runtime) {
					throw runtime;
				}
				throw new ImportFailedException("read ahead failed: " + ex.getCause(), ex.getCause());
			}
		}

		/**
		 * Waits for the read to end, whatever its outcome, so its buffer is gone before
		 * its share is returned.
		 */
		@Override
		public void close() {
			boolean ended = false;
			try {
				this.read.get();
				ended = true;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (ExecutionException | RuntimeException ex) {
				// the outcome no longer matters
				ended = true;
			}
			finally {
				if (!ended) {
					// the read may still be writing into its array: never lend it again
					this.share.forgetBuffer();
				}
				this.share.close();
			}
		}

	}

	/**
	 * Whether the layer of a finished job is in the storage bucket exactly as recorded:
	 * its size and the SHA-256 of its bytes, read back in full. A layer that is missing,
	 * or replaced by other bytes, does not count and its job runs again.
	 */
	boolean intact(FinishedJob job) {
		String key = ImportLayout.layer(this.id, job.layer());
		Optional<ObjectInfo> head = this.context.storage().head(key);
		if (head.isEmpty() || head.get().size() != job.size()) {
			log.warn("Import {}: the layer of finished job {} is {}; running the job again", this.id, job.job(),
					head.isEmpty() ? "missing" : "of another size");
			return false;
		}
		Optional<InputStream> body = this.context.storage().get(key);
		if (body.isEmpty()) {
			return false;
		}
		String actual;
		try (InputStream in = body.get()) {
			actual = Sha256Digest.of(in).hex();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		if (!actual.equals(job.sha256())) {
			log.warn("Import {}: the layer of finished job {} does not have its recorded SHA-256 ({}); "
					+ "running the job again", this.id, job.job(), actual);
			return false;
		}
		return true;
	}

}
