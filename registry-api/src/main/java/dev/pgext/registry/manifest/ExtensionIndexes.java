package dev.pgext.registry.manifest;

import java.sql.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.index.ExtFile;
import dev.pgext.model.index.ExtIndex;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.PreloadNeed;
import dev.pgext.registry.Scopes;
import dev.pgext.registry.catalog.Versions;

/**
 * Builds indexes from the catalog (the current release of each extension in a scope,
 * major and platform, by {@link Versions#current}), for the compute manifest and for the
 * {@code ext_index.json} projection.
 */
@Component
public class ExtensionIndexes {

	private final JdbcClient jdbc;

	ExtensionIndexes(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The index of one scope and major on the default platform as the current transaction
	 * sees the catalog.
	 */
	public ExtIndex build(Scope scope, PgMajor major) {
		return build(scope, major, Platform.DEFAULT);
	}

	/**
	 * The index of one scope, major and platform as the current transaction sees the
	 * catalog.
	 */
	public ExtIndex build(Scope scope, PgMajor major, Platform platform) {
		return ExtIndex.of(major, scope.tenant(), entries(scope, major, platform));
	}

	private record Row(long id, boolean yanked, ExtIndexEntry entry) {
	}

	List<ExtIndexEntry> entries(Scope scope, PgMajor major, Platform platform) {
		return entries(scope, major, platform, null);
	}

	/**
	 * The current entries of the extensions named {@code names} (every extension for
	 * {@code null}) of one scope, major and platform, in name order.
	 */
	List<ExtIndexEntry> entries(Scope scope, PgMajor major, Platform platform, Collection<String> names) {
		List<Object> params = new ArrayList<>(List.of(Scopes.column(scope), major.value(), platform.toString()));
		if (names != null) {
			params.add(names.toArray(String[]::new));
		}
		List<Row> all = this.jdbc
			.sql("select e.id, r.yanked_at is not null, e.name, r.version, e.default_version, e.control, e.libraries, "
					+ "e.requires, e.preload, e.trusted, e.superuser from release_extension e "
					+ "join release r on r.id = e.release_id where e.scope = ? and e.pg_major = ? and e.platform = ? "
					+ ((names != null) ? "and e.name = any(?) " : "") + "order by e.name")
			.params(params)
			.query((rs, n) -> new Row(rs.getLong(1), rs.getBoolean(2),
					new ExtIndexEntry(ExtensionName.of(rs.getString(3)), ExtensionVersion.of(rs.getString(4)),
							rs.getString(5), rs.getString(6), List.of(), strings(rs.getArray(7)),
							strings(rs.getArray(8)), PreloadNeed.parse(rs.getString(9)), rs.getBoolean(10),
							rs.getBoolean(11))))
			.list();
		Map<String, List<Row>> byName = new TreeMap<>();
		all.forEach((row) -> byName.computeIfAbsent(row.entry().name().value(), (k) -> new ArrayList<>()).add(row));
		List<Row> rows = new ArrayList<>();
		byName.values()
			.forEach((releases) -> Versions.current(releases, (row) -> row.entry().version().value(), Row::yanked)
				.ifPresent(rows::add));
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
	 * A tenant's compute manifest for one platform: the public index with the tenant's
	 * private entries replacing same-named ones. Only builds for {@code platform} are in
	 * it.
	 */
	public ExtIndex manifest(PgMajor major, Scope tenantScope, Platform platform) {
		Map<String, ExtIndexEntry> merged = new LinkedHashMap<>();
		for (ExtIndexEntry entry : entries(Scope.PUBLIC, major, platform)) {
			merged.put(entry.name().value(), entry);
		}
		if (!tenantScope.isPublic()) {
			for (ExtIndexEntry entry : entries(tenantScope, major, platform)) {
				merged.put(entry.name().value(), entry);
			}
		}
		return ExtIndex.of(major, tenantScope.tenant(), new ArrayList<>(merged.values()));
	}

	private static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

}
