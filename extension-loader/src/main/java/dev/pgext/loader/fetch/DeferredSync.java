package dev.pgext.loader.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.json.DocumentJson;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * Lets a start put the preload closure's files in place without waiting for the disk
 * before Postgres launches, and makes them durable right after it accepts connections,
 * without ever leaving a bad file in place after a crash.
 * <p>
 * A verified file renamed into place before its content reached the disk may, after the
 * machine (not only the loader) went down, be empty or hold old blocks under its new
 * name. So before the first such rename, a journal naming every file of the extensions
 * concerned ({@value #JOURNAL} in the installation's {@code sharedir}) is made durable
 * (written, fsynced, renamed, its directory fsynced); it is written while the files
 * download, so the start does not wait for it. Once Postgres accepts connections
 * {@link #complete()} fsyncs the renamed files and their directories and removes the
 * journal. A start that finds a journal ({@link #recover}) verifies every file it names
 * against its digest and size before anything else, removes all files of an extension one
 * of whose files is missing or wrong (so its control file is missing too, and the hook
 * asks for the whole extension again), makes the rest durable and removes the journal: a
 * crash before the deferred fsync costs a download, never a bad file, whether or not the
 * next start preloads the same extensions.
 */
public final class DeferredSync {

	private static final Logger log = LoggerFactory.getLogger(DeferredSync.class);

	/**
	 * The journal's name in the installation's {@code sharedir}; Postgres never reads it.
	 */
	public static final String JOURNAL = ".pgext-unsynced.json";

	private final Path journal;

	private final CompletableFuture<Void> recorded = new CompletableFuture<>();

	private final Set<Path> renamed = ConcurrentHashMap.newKeySet();

	private DeferredSync(Path journal) {
		this.journal = journal;
	}

	/**
	 * Starts recording, on {@code executor}, that the files of {@code extensions} may be
	 * renamed into {@code install} without fsync; {@link FilePlacer#promote} waits for
	 * that record to be durable before its first rename.
	 */
	public static DeferredSync begin(PostgresInstall install, Collection<ExtIndexEntry> extensions, Executor executor) {
		DeferredSync sync = new DeferredSync(journalOf(install));
		if (extensions.isEmpty()) {
			sync.recorded.complete(null);
			return sync;
		}
		List<Journal.Extension> named = extensions.stream()
			.map((entry) -> new Journal.Extension(entry.name().value(), entry.files()))
			.toList();
		executor.execute(() -> {
			try {
				FilePlacement.writeAtomically(sync.journal, DocumentJson.COMPACT.writeValueAsBytes(new Journal(named)),
						true);
				sync.recorded.complete(null);
			}
			catch (IOException | RuntimeException ex) {
				sync.recorded.completeExceptionally(ex);
			}
		});
		return sync;
	}

	/**
	 * Waits until the journal is durable: nothing may be renamed into place without fsync
	 * before.
	 * @throws FetchException when it could not be written; nothing was renamed then
	 */
	public void awaitRecorded() {
		try {
			this.recorded.get();
		}
		catch (ExecutionException ex) {
			throw new FetchException(FetchException.Reason.LOCAL_IO, "cannot record the files placed before start in "
					+ this.journal + ": " + ex.getCause().getMessage(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new FetchException(FetchException.Reason.LOCAL_IO, "interrupted while recording placed files", ex);
		}
	}

	/** {@code target} was renamed into place without fsync. */
	void renamed(Path target) {
		this.renamed.add(target);
	}

	/**
	 * Makes every file renamed without fsync durable, then the renames (one fsync per
	 * directory), then removes the journal (its removal needs no fsync: a journal found
	 * again only costs the next start a check of its files).
	 * @return how many files were made durable
	 * @throws IOException when a file or directory cannot be fsynced; the journal then
	 * stays for the next start to check
	 */
	public int complete() throws IOException {
		awaitRecordedQuietly();
		List<Path> files = new ArrayList<>(this.renamed);
		Set<Path> directories = new LinkedHashSet<>();
		for (Path file : files) {
			FilePlacement.sync(file);
			directories.add(file.getParent());
		}
		for (Path directory : directories) {
			FilePlacement.syncDirectory(directory);
		}
		Files.deleteIfExists(this.journal);
		return files.size();
	}

	private void awaitRecordedQuietly() throws IOException {
		try {
			this.recorded.get();
		}
		catch (ExecutionException ex) {
			// nothing was renamed without it
			if (!this.renamed.isEmpty()) {
				throw new IOException("files were renamed without a journal", ex.getCause());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while waiting for the journal", ex);
		}
	}

	/**
	 * Checks the files a previous start renamed into {@code install} without fsync, when
	 * its journal is there: an extension one of whose files is missing or not what the
	 * journal says loses all its files; the others are made durable; the journal is
	 * removed. To be called before anything is placed.
	 * @return the extensions whose files were removed
	 * @throws IOException when a file cannot be read, removed or fsynced; the journal
	 * then stays
	 */
	public static List<String> recover(PostgresInstall install) throws IOException {
		Path journal = journalOf(install);
		if (!Files.isRegularFile(journal)) {
			return List.of();
		}
		Journal read;
		try {
			read = DocumentJson.COMPACT.readValue(Files.readAllBytes(journal), Journal.class);
		}
		catch (JacksonException ex) {
			// written whole and fsynced before any file it names was renamed, so an
			// unreadable one was never completed, and nothing was renamed after it
			log.warn("Removing the unreadable journal {}: {}", journal, ex.getOriginalMessage());
			Files.delete(journal);
			return List.of();
		}
		List<String> removed = new ArrayList<>();
		Set<Path> directories = new LinkedHashSet<>();
		for (Journal.Extension extension : read.extensions()) {
			List<ExtFile> files = extension.files();
			boolean intact = true;
			for (ExtFile file : files) {
				if (!FilePlacement.hasContent(install.resolve(file.path()), file)) {
					// the extension's files all go: the rest need not be read
					intact = false;
					break;
				}
			}
			for (ExtFile file : files) {
				Path target = install.resolve(file.path());
				if (!intact) {
					Files.deleteIfExists(target);
				}
				else {
					FilePlacement.sync(target);
				}
				directories.add(target.getParent());
			}
			if (!intact) {
				removed.add(extension.name());
			}
		}
		for (Path directory : directories) {
			FilePlacement.syncDirectory(directory);
		}
		Files.delete(journal);
		if (!removed.isEmpty()) {
			log.warn("Files placed before the last start were not all on disk after it ended (the machine went down "
					+ "before they were synced); removed those of {}, fetched again when needed", removed);
		}
		return removed;
	}

	private static Path journalOf(PostgresInstall install) {
		return install.sharedir().resolve(JOURNAL);
	}

	/**
	 * What {@value #JOURNAL} holds.
	 *
	 * @param extensions the extensions whose files may be renamed without fsync
	 */
	record Journal(List<Extension> extensions) {

		/**
		 * One extension and every file of it, as the index names them.
		 *
		 * @param name the extension
		 * @param files its files
		 */
		record Extension(String name, List<ExtFile> files) {

		}

	}

}
