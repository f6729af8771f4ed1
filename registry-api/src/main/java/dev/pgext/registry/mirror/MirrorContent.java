package dev.pgext.registry.mirror;

import java.sql.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.model.index.ExtIndexJson;
import dev.pgext.registry.catalog.Versions;
import dev.pgext.registry.manifest.ExtensionIndexes;
import dev.pgext.registry.pgxn.PgxnDocuments;

/**
 * Every file of the mirror, built from the catalog alone: the pgext documents and, in the
 * same tree, a PGXN mirror (its templates at the top level of {@code index.json}) (public
 * scope only: private extensions never leave the registry). The output depends only on
 * the catalog's content, never on when or how often it is built, so an incremental
 * refresh and a rebuild from scratch produce the same bytes. Call inside one
 * repeatable-read transaction.
 */
@Component
class MirrorContent {

	/** Path of the top-level file listing every other file's sha256. */
	static final String SNAPSHOT = "snapshot.json";

	static final String INDEX = "index.json";

	private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	private final JdbcClient jdbc;

	private final ExtensionIndexes indexes;

	private final PgxnDocuments pgxn;

	MirrorContent(JdbcClient jdbc, ExtensionIndexes indexes, PgxnDocuments pgxn) {
		this.jdbc = jdbc;
		this.indexes = indexes;
		this.pgxn = pgxn;
	}

	private record Build(long id, String name, String version, String distribution, int pgMajor, String defaultVersion,
			String control, List<String> libraries, List<String> requires, String preload, boolean trusted,
			boolean superuser, String publishedAt, String license, String summary, String description,
			List<String> tags, boolean yanked, String yankReason) {
	}

	private record Distribution(boolean deprecated, String successor, String reason) {
	}

	/**
	 * The PGXN distribution zips of {@code changed} distributions (all for {@code null}),
	 * by relative path.
	 */
	Map<String, PgxnDocuments.Archive> archives(Set<String> changed) {
		return this.pgxn.mirrorArchives(changed);
	}

	/**
	 * The files that depend on some distributions.
	 *
	 * @param files relative path to content, sorted by path; the snapshot and the
	 * distribution zips ({@link #archives}) are not among them
	 * @param covers whether a relative path is one this part was computed for: such a
	 * path missing from {@code files} no longer exists (for the whole mirror, every path)
	 */
	record Part(TreeMap<String, byte[]> files, Predicate<String> covers) {
	}

	/**
	 * Every file that depends on the {@code changed} distributions, or every file for
	 * {@code null}: the documents of their extensions, the PGXN documents that name them,
	 * and the aggregates ({@code index.json}, each major's {@code ext_index.json}, the
	 * statistics). Each file it holds has the bytes a build of the whole mirror gives it.
	 */
	Part files(Set<String> changed) {
		List<Build> builds = this.jdbc.sql("""
				select e.id, e.name, r.version, r.distribution, e.pg_major, e.default_version, e.control, e.libraries,
				    e.requires, e.preload, e.trusted, e.superuser, r.published_at, r.license, r.abstract, r.description,
				    r.tags, r.yanked_at is not null, r.yank_reason
				from release_extension e join release r on r.id = e.release_id
				where e.scope = '' order by e.name, r.published_at, r.id, e.pg_major
				""")
			.query((rs, n) -> new Build(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
					rs.getString(6), rs.getString(7), strings(rs.getArray(8)), strings(rs.getArray(9)),
					rs.getString(10), rs.getBoolean(11), rs.getBoolean(12), rs.getTimestamp(13).toInstant().toString(),
					rs.getString(14), rs.getString(15), rs.getString(16), strings(rs.getArray(17)), rs.getBoolean(18),
					rs.getString(19)))
			.list();
		Set<String> names = new TreeSet<>();
		builds.stream()
			.filter((build) -> changed == null || changed.contains(build.distribution()))
			.forEach((build) -> names.add(build.name()));
		Map<Long, List<Map<String, Object>>> files = new HashMap<>();
		this.jdbc
			.sql("select f.extension_id, f.path, f.sha256, f.size from release_file f "
					+ "join release_extension e on e.id = f.extension_id where e.scope = '' and e.name = any(?) "
					+ "order by f.extension_id, f.path")
			.param(names.toArray(String[]::new))
			.query((rs) -> {
				Map<String, Object> file = new LinkedHashMap<>();
				file.put("path", rs.getString(2));
				file.put("sha256", rs.getString(3));
				file.put("size", rs.getLong(4));
				files.computeIfAbsent(rs.getLong(1), (k) -> new ArrayList<>()).add(file);
			});
		Map<String, Distribution> distributions = new HashMap<>();
		this.jdbc
			.sql("select name, deprecated_at is not null, successor, deprecation_reason from distribution "
					+ "where scope = ''")
			.query((rs) -> {
				distributions.put(rs.getString(1),
						new Distribution(rs.getBoolean(2), rs.getString(3), rs.getString(4)));
			});

		TreeMap<String, byte[]> out = new TreeMap<>();
		Map<String, Map<String, List<Build>>> byExtension = new TreeMap<>();
		for (Build build : builds) {
			byExtension.computeIfAbsent(build.name(), (k) -> new LinkedHashMap<>())
				.computeIfAbsent(build.version(), (k) -> new ArrayList<>())
				.add(build);
		}
		List<Map<String, Object>> summaries = new ArrayList<>();
		TreeSet<Integer> majors = new TreeSet<>();
		byExtension.forEach((name, versions) -> {
			List<Map<String, Object>> versionList = new ArrayList<>();
			Build latest = Versions
				.current(versions.values().stream().map((perVersion) -> perVersion.get(0)).toList(), Build::version,
						Build::yanked)
				.orElse(null);
			for (Map.Entry<String, List<Build>> version : versions.entrySet()) {
				Build first = version.getValue().get(0);
				List<Integer> pg = version.getValue().stream().map(Build::pgMajor).toList();
				majors.addAll(pg);
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("version", version.getKey());
				entry.put("published_at", first.publishedAt());
				entry.put("pg_majors", pg);
				entry.put("yanked", first.yanked());
				if (first.yanked()) {
					entry.put("yank_reason", first.yankReason());
				}
				versionList.add(entry);
				if (names.contains(name)) {
					out.put(versionPath(name, version.getKey()), json(version(first, version.getValue(), files)));
				}
			}
			Build shown = (latest != null) ? latest : versions.values().iterator().next().get(0);
			Distribution distribution = distributions.getOrDefault(shown.distribution(),
					new Distribution(false, null, null));
			Map<String, Object> extension = new LinkedHashMap<>();
			extension.put("name", name);
			extension.put("distribution", shown.distribution());
			extension.put("latest", (latest != null) ? latest.version() : null);
			extension.put("abstract", shown.summary());
			extension.put("description", shown.description());
			extension.put("tags", shown.tags());
			extension.put("deprecated", distribution.deprecated());
			if (distribution.deprecated()) {
				extension.put("successor", distribution.successor());
				extension.put("deprecation_reason", distribution.reason());
			}
			extension.put("versions", versionList);
			if (names.contains(name)) {
				out.put(extensionPath(name), json(extension));
			}
			Map<String, Object> summary = new LinkedHashMap<>();
			summary.put("name", name);
			summary.put("latest", extension.get("latest"));
			summary.put("abstract", shown.summary());
			summary.put("deprecated", distribution.deprecated());
			summaries.add(summary);
		});
		for (int major : majors) {
			out.put(extIndexPath(major),
					ExtIndexJson.writeCompact(this.indexes.build(Scope.PUBLIC, PgMajor.of(major))));
		}
		PgxnDocuments.MirrorPart pgxnPart = this.pgxn.mirrorDocuments(changed);
		out.putAll(pgxnPart.documents());
		// a PGXN client reads its templates at the top level of index.json
		Map<String, Object> index = new LinkedHashMap<>(PgxnDocuments.index(false));
		index.put("format", 1);
		Map<String, String> templates = new LinkedHashMap<>();
		templates.put("extension", "extensions/{name}.json");
		templates.put("version", "extensions/{name}/{version}.json");
		templates.put("ext_index", "pg/{pg_major}/ext_index.json");
		templates.put("blob", "../blobs/sha256/{sha256}");
		templates.put("snapshot", SNAPSHOT);
		index.put("templates", templates);
		index.put("pg_majors", List.copyOf(majors));
		index.put("extensions", summaries);
		out.put(INDEX, json(index));
		if (changed == null) {
			return new Part(out, (path) -> true);
		}
		Set<String> paths = new TreeSet<>(out.keySet());
		Set<String> prefixes = new TreeSet<>();
		for (String name : names) {
			paths.add(extensionPath(name));
			prefixes.add("extensions/" + name + "/");
		}
		return new Part(out, (path) -> paths.contains(path) || pgxnPart.covers(path) || startsWithAny(path, prefixes));
	}

	private static boolean startsWithAny(String path, Set<String> prefixes) {
		for (String prefix : prefixes) {
			if (path.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	private static Map<String, Object> version(Build first, List<Build> builds,
			Map<Long, List<Map<String, Object>>> files) {
		Map<String, Object> version = new LinkedHashMap<>();
		version.put("name", first.name());
		version.put("version", first.version());
		version.put("distribution", first.distribution());
		version.put("published_at", first.publishedAt());
		version.put("license", first.license());
		version.put("abstract", first.summary());
		version.put("yanked", first.yanked());
		if (first.yanked()) {
			version.put("yank_reason", first.yankReason());
		}
		List<Map<String, Object>> perMajor = new ArrayList<>();
		for (Build build : builds) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("pg_major", build.pgMajor());
			entry.put("default_version", build.defaultVersion());
			entry.put("control", build.control());
			entry.put("libraries", build.libraries());
			entry.put("requires", build.requires());
			entry.put("preload", build.preload());
			entry.put("trusted", build.trusted());
			entry.put("superuser", build.superuser());
			entry.put("files", files.getOrDefault(build.id(), List.of()));
			perMajor.add(entry);
		}
		version.put("builds", perMajor);
		return version;
	}

	static String extensionPath(String name) {
		return "extensions/" + name + ".json";
	}

	static String versionPath(String name, String version) {
		return "extensions/" + name + "/" + version + ".json";
	}

	static String extIndexPath(int major) {
		return "pg/" + major + "/ext_index.json";
	}

	static byte[] json(Object value) {
		return JSON.writeValueAsBytes(value);
	}

	private static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : List.of();
	}

}
