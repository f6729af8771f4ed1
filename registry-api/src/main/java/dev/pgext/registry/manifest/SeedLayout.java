package dev.pgext.registry.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.Scopes;

/**
 * Puts the seed-layout files and the {@code ext_index.json} of one scope and major back to
 * what the committed catalog says: after a failed publish, a yank or un-yank, or when an
 * administrator regenerates every index. Seed files come from their content-addressed blobs,
 * then the index is written, under the index lock.
 */
@Component
public class SeedLayout {

	/**
	 * The job kind that calls {@link #restore} for the extensions {@code names} of scope
	 * {@code tenant} in each of {@code pg_majors}.
	 */
	public static final String RESYNC_JOB = "store.resync";

	private final JdbcClient jdbc;

	private final ObjectStore store;

	private final ExtensionIndexes indexes;

	private final TransactionTemplate transaction;

	SeedLayout(JdbcClient jdbc, ObjectStore store, ExtensionIndexes indexes, TransactionTemplate transaction) {
		this.jdbc = jdbc;
		this.store = store;
		this.indexes = indexes;
		this.transaction = transaction;
	}

	/**
	 * Restores the seed files under {@code paths} (deleting those no current extension has)
	 * and rewrites the index.
	 */
	public void restore(Scope scope, PgMajor major, Collection<String> paths) {
		this.transaction.executeWithoutResult((status) -> {
			this.indexes.lock(scope, major);
			Map<String, ExtFile> committed = new TreeMap<>();
			ExtIndex index = this.indexes.build(scope, major);
			index.extensions().forEach((entry) -> entry.files().forEach((file) -> committed.put(file.path(), file)));
			for (String path : new TreeSet<>(paths)) {
				ExtFile file = committed.get(path);
				if (file == null) {
					this.store.delete(StoreLayout.seedFile(scope, major, path));
				}
				else {
					restoreSeedFile(scope, major, file);
				}
			}
			this.indexes.write(scope, index);
		});
	}

	/**
	 * Every path any release of the extensions {@code names} (all of them when
	 * {@code null}) ever had in {@code scope} and {@code major}: what a yank or a full
	 * regeneration may have to put back or remove.
	 */
	public Collection<String> pathsOf(Scope scope, PgMajor major, Collection<String> names) {
		return this.jdbc
			.sql("select distinct f.path from release_file f join release_extension e on e.id = f.extension_id "
					+ "where e.scope = ? and e.pg_major = ? and (cast(? as text[]) is null or e.name = any(?))")
			.params(Scopes.column(scope), major.value(), (names != null) ? names.toArray(String[]::new) : null,
					(names != null) ? names.toArray(String[]::new) : null)
			.query(String.class)
			.list();
	}

	private void restoreSeedFile(Scope scope, PgMajor major, ExtFile file) {
		Optional<InputStream> blob = this.store.get(StoreLayout.blob(file.sha256()));
		if (blob.isEmpty()) {
			return;
		}
		try (InputStream in = blob.get()) {
			Path temp = Files.createTempFile("pgext-restore", ".bin");
			try {
				Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
				this.store.put(StoreLayout.seedFile(scope, major, file.path()), temp, contentType(file.path()));
			}
			finally {
				Files.deleteIfExists(temp);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The content type a seed file is stored with. */
	public static String contentType(String path) {
		return (path.endsWith(".sql") || path.endsWith(".control")) ? "text/plain; charset=utf-8"
				: "application/octet-stream";
	}

}
