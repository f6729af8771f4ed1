package dev.pgext.importer.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import tools.jackson.databind.JsonNode;

import dev.pgext.importer.pgdata.BackupManifest;
import dev.pgext.importer.pgdata.FileCheck;
import dev.pgext.importer.pgdata.InvalidPgdataException;
import dev.pgext.importer.pgdata.UploadFileList;
import dev.pgext.importer.plan.Manifest;
import dev.pgext.importer.plan.ManifestEntry;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;

/**
 * The one listing of an import's input: taken once, stored as {@code import_manifest.json} with
 * the upload's own file list, and from then on the only truth about what the input holds.
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

	/**
	 * Lists the input once and stores the listing, with the file list the upload carries (its
	 * {@code backup_manifest}, or a {@code files} list in {@code status/pgdata}), as the frozen manifest.
	 */
	Manifest freeze(String bucket, String prefix, JsonNode status) {
		String key = ImportLayout.manifest(this.id);
		Optional<byte[]> existing = this.context.storage().getBytes(key);
		if (existing.isPresent()) {
			// frozen by an earlier attempt that stopped before recording its plan: keep that listing
			return Manifest.fromJson(existing.get());
		}
		ObjectStore input = this.context.inputStore(bucket);
		String pgdata = ImportLayout.pgdataPrefix(prefix);
		List<ManifestEntry> listed = new ArrayList<>();
		int max = this.context.maxFiles();
		input.list(pgdata, (ObjectInfo info) -> {
			if (info.key().endsWith("/") && info.size() == 0) {
				return;
			}
			if (listed.size() >= max) {
				throw new InvalidPgdataException("the PGDATA has more than " + max + " files");
			}
			listed.add(new ManifestEntry(info.key().substring(pgdata.length()), info.size(), info.etag()));
		});
		if (listed.isEmpty()) {
			throw new InvalidPgdataException("there are no files under '" + pgdata + "'");
		}
		Manifest manifest = Manifest.of(listed);
		List<FileCheck> checks = new ArrayList<>();
		ManifestEntry backupManifest = manifest.byPath().get(BackupManifest.FILE_NAME);
		if (backupManifest != null) {
			if (backupManifest.size() > MAX_BACKUP_MANIFEST) {
				throw new InvalidPgdataException("'backup_manifest' is " + backupManifest.size()
						+ " bytes, more than the " + MAX_BACKUP_MANIFEST + " this importer reads");
			}
			checks.addAll(BackupManifest.parse(new InputReader(this.context.reads(), bucket, pgdata, manifest.byPath()).readWhole(BackupManifest.FILE_NAME)));
		}
		UploadFileList.of(status).ifPresent(checks::addAll);
		if (checks.isEmpty() && backupManifest == null && UploadFileList.of(status).isEmpty()) {
			if (this.context.requireFileList()) {
				throw new InvalidPgdataException("the upload carries no file list to verify the files against: "
						+ "neither 'pgdata/backup_manifest' nor a \"files\" list in 'status/pgdata' "
						+ "(pgext.importer.require-file-list is on)");
			}
		}
		else {
			manifest = manifest.withChecks(checks);
		}
		if (this.context.storage().putIfAbsent(key, manifest.toJson(), "application/json").isEmpty()) {
			return Manifest.fromJson(this.context.storage()
				.getBytes(key)
				.orElseThrow(() -> new ImportFailedException("the frozen manifest vanished")));
		}
		return manifest;
	}

}
