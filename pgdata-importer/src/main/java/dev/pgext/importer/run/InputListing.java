package dev.pgext.importer.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import dev.pgext.importer.pgdata.BackupManifest;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.pgdata.PgControl;
import dev.pgext.importer.pgdata.UploadFileList;
import dev.pgext.importer.plan.Manifest;
import dev.pgext.importer.plan.ManifestEntry;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;

/**
 * The one listing of an import's input: taken once, stored as
 * {@code import_manifest.json} with the upload's own file list, and from then on the only
 * truth about what the input holds. The listing's pages are written to a local file as
 * they arrive and the file is uploaded as it is, so the listing is never held in memory,
 * however many files the input has.
 */
final class InputListing {

	/** Largest {@code backup_manifest} read (about 200 bytes per file). */
	private static final long MAX_BACKUP_MANIFEST = 256L * 1024 * 1024;

	private final ImportContext context;

	private final ImportId id;

	InputListing(ImportContext context, ImportId id) {
		this.context = context;
		this.id = id;
	}

	/** The local copy of this import's frozen manifest, deleted when the run ends. */
	static Path localFile(ImportContext context, ImportId id) {
		return context.workDir()
			.resolve(id.tenantId() + "-" + id.shard().slug() + "-" + id.timelineId() + "-import_manifest.json");
	}

	/**
	 * Lists the input once and stores the listing, with the file list the upload carries
	 * (its {@code backup_manifest}, or a {@code files} list in {@code status/pgdata}), as
	 * the frozen manifest.
	 */
	Manifest freeze(String bucket, String prefix, Path status) {
		String key = ImportLayout.manifest(this.id);
		Path file = localFile(this.context, this.id);
		Optional<Manifest> existing = download(file);
		if (existing.isPresent()) {
			// frozen by an earlier attempt that stopped before recording its plan: keep
			// that listing
			return existing.get();
		}
		ObjectStore input = this.context.inputStore(bucket);
		String pgdata = ImportLayout.pgdataPrefix(prefix);
		int max = this.context.maxFiles();
		Manifest.Writer writer = Manifest.writer(file);
		ManifestEntry[] backupManifest = new ManifestEntry[1];
		Manifest manifest;
		try {
			input.list(pgdata, (ObjectInfo info) -> {
				if (info.key().endsWith("/") && info.size() == 0) {
					return;
				}
				if (writer.count() >= max) {
					throw new InvalidPgdataException("the PGDATA has more than " + max + " files");
				}
				ManifestEntry entry = new ManifestEntry(info.key().substring(pgdata.length()), info.size(),
						info.etag());
				if (entry.path().equals(BackupManifest.FILE_NAME)) {
					backupManifest[0] = entry;
				}
				writer.add(entry);
			});
			if (writer.count() == 0) {
				throw new InvalidPgdataException("there are no files under '" + pgdata + "'");
			}
			manifest = writer.finish(checks(bucket, pgdata, status, backupManifest[0]));
		}
		catch (RuntimeException ex) {
			writer.close();
			throw ex;
		}
		if (this.context.storage().putIfAbsent(key, file, "application/json").isEmpty()) {
			return download(file).orElseThrow(() -> new ImportFailedException("the frozen manifest vanished"));
		}
		return manifest;
	}

	/**
	 * The upload's own file list, or null when it has none (and none is required): the
	 * entries of its {@code backup_manifest} (read range by range) and of the
	 * {@code files} list of its status object, streamed into the frozen manifest as they
	 * are parsed, never held.
	 */
	private Manifest.Checks checks(String bucket, String pgdata, Path status, ManifestEntry backupManifest) {
		boolean uploadList = UploadFileList.files(status, (check) -> {
		});
		if (backupManifest == null && !uploadList) {
			if (this.context.requireFileList()) {
				throw new InvalidPgdataException("the upload carries no file list to verify the files against: "
						+ "neither 'pgdata/backup_manifest' nor a \"files\" list in 'status/pgdata' "
						+ "(pgext.importer.require-file-list is on)");
			}
			return null;
		}
		if (backupManifest != null && backupManifest.size() > MAX_BACKUP_MANIFEST) {
			throw new InvalidPgdataException("'backup_manifest' is " + backupManifest.size() + " bytes, more than the "
					+ MAX_BACKUP_MANIFEST + " this importer reads");
		}
		return (action) -> {
			if (backupManifest != null) {
				InputReader reader = new InputReader(this.context.reads(), bucket, pgdata);
				try (InputStream manifest = reader.stream(backupManifest,
						this.context.maxRangeBlocks() * PgControl.BLOCK_SIZE)) {
					BackupManifest.parse(manifest, action);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
			UploadFileList.files(status, action);
		};
	}

	/**
	 * Copies this import's frozen manifest from the storage bucket to {@code file},
	 * streaming.
	 * @return the manifest, or empty when none was frozen yet
	 */
	Optional<Manifest> download(Path file) {
		Optional<InputStream> stored = this.context.storage().get(ImportLayout.manifest(this.id));
		if (stored.isEmpty()) {
			return Optional.empty();
		}
		try (InputStream in = stored.get()) {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			return Optional.of(Manifest.read(file));
		}
		catch (IllegalArgumentException ex) {
			throw new ImportFailedException("the frozen manifest of this import is unreadable: " + ex.getMessage());
		}
	}

}
