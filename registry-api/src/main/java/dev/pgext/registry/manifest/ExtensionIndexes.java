package dev.pgext.registry.manifest;

import java.sql.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.Scopes;

/**
 * Builds indexes from the catalog (the newest release of each extension in a scope and
 * major that is not yanked) and writes {@code ext_index.json} to the store. Writers serialize per scope and
 * major on a transaction-scoped advisory lock, so that two publishes never overwrite each
 * other's index with a stale view.
 */
@Component
public class ExtensionIndexes {

	private final JdbcClient jdbc;

	private final ObjectStore store;

	ExtensionIndexes(JdbcClient jdbc, ObjectStore store) {
		this.jdbc = jdbc;
		this.store = store;
	}

	/**
	 * Takes the index lock of {@code scope} and {@code major} until the current
	 * transaction ends.
	 */
	public void lock(Scope scope, PgMajor major) {
		this.jdbc.sql("select pg_advisory_xact_lock(hashtext('ext_index'), hashtext(?))")
			.param(Scopes.column(scope) + "/" + major)
			.query((rs, n) -> 1)
			.list();
	}

	/** The index of one scope and major as the current transaction sees the catalog. */
	public ExtIndex build(Scope scope, PgMajor major) {
		return ExtIndex.of(major, scope.tenant(), entries(scope, major));
	}

	/**
	 * Writes {@code index} as the {@code ext_index.json} of {@code scope}; the caller
	 * holds the lock and built the index inside it.
	 */
	public byte[] write(Scope scope, ExtIndex index) {
		byte[] json = ExtIndexJson.write(index);
		this.store.put(StoreLayout.extIndex(scope, index.pgMajor()), json, "application/json");
		return json;
	}

	private record Row(long id, ExtIndexEntry entry) {
	}

	List<ExtIndexEntry> entries(Scope scope, PgMajor major) {
		List<Row> rows = this.jdbc
			.sql("select distinct on (e.name) e.id, e.name, r.version, e.default_version, e.control, e.libraries, "
					+ "e.requires, e.preload, e.trusted, e.superuser from release_extension e "
					+ "join release r on r.id = e.release_id where e.scope = ? and e.pg_major = ? and r.yanked_at is null "
					+ "order by e.name, e.id desc")
			.params(Scopes.column(scope), major.value())
			.query((rs, n) -> new Row(rs.getLong(1),
					new ExtIndexEntry(ExtensionName.of(rs.getString(2)), ExtensionVersion.of(rs.getString(3)),
							rs.getString(4), rs.getString(5), List.of(), strings(rs.getArray(6)),
							strings(rs.getArray(7)), PreloadNeed.parse(rs.getString(8)), rs.getBoolean(9),
							rs.getBoolean(10))))
			.list();
		if (rows.isEmpty()) {
			return List.of();
		}
		Map<Long, List<ExtFile>> files = new HashMap<>();
		this.jdbc.sql("select extension_id, path, sha256, size from release_file where extension_id = any(?)")
			.param(rows.stream().map(Row::id).toArray(Long[]::new))
			.query((rs) -> {
				files.computeIfAbsent(rs.getLong(1), (k) -> new ArrayList<>())
					.add(new ExtFile(rs.getString(2), new Sha256Digest(rs.getString(3)), rs.getLong(4)));
			});
		List<ExtIndexEntry> entries = new ArrayList<>();
		for (Row row : rows) {
			ExtIndexEntry e = row.entry();
			entries.add(new ExtIndexEntry(e.name(), e.version(), e.defaultVersion(), e.control(),
					files.getOrDefault(row.id(), List.of()), e.libraries(), e.requires(), e.preload(), e.trusted(),
					e.superuser()));
		}
		return entries;
	}

	/**
	 * A tenant's compute manifest: the public index with the tenant's private entries
	 * replacing same-named ones.
	 */
	public ExtIndex manifest(PgMajor major, Scope tenantScope) {
		Map<String, ExtIndexEntry> merged = new LinkedHashMap<>();
		for (ExtIndexEntry entry : entries(Scope.PUBLIC, major)) {
			merged.put(entry.name().value(), entry);
		}
		if (!tenantScope.isPublic()) {
			for (ExtIndexEntry entry : entries(tenantScope, major)) {
				merged.put(entry.name().value(), entry);
			}
		}
		return ExtIndex.of(major, tenantScope.tenant(), new ArrayList<>(merged.values()));
	}

	private static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

}
